import { panWindow, type TimeWindow, zoomWindow } from "./viewport.ts";

/** What a key does on the focused timeline (pure: tested without a DOM). */
export type TimelineKeyAction =
  | { kind: "window"; window: TimeWindow }
  | { kind: "scroll"; deltaPx: number }
  | { kind: "fit" }
  | { kind: "zoom-selection" }
  | { kind: "clear" }
  | { kind: "select-hover" }
  | { kind: "step"; direction: -1 | 1 }
  | { kind: "none" };

/** Zoom factor of one W/S press, pan fraction of one A/D press. */
export const KEY_ZOOM = 1.6;
export const KEY_PAN = 0.15;

export function timelineKeyAction(
  key: string,
  shift: boolean,
  w: TimeWindow,
  bounds: TimeWindow,
  lanesPx: number,
): TimelineKeyAction {
  const k = key.length === 1 ? key.toLowerCase() : key;
  switch (k) {
    case "w":
    case "+":
    case "=":
      return {
        kind: "window",
        window: zoomWindow(w, shift ? KEY_ZOOM * 2 : KEY_ZOOM, 0.5, bounds),
      };
    case "s":
    case "-":
    case "_":
      return {
        kind: "window",
        window: zoomWindow(w, 1 / (shift ? KEY_ZOOM * 2 : KEY_ZOOM), 0.5, bounds),
      };
    case "a":
    case "ArrowLeft":
      return { kind: "window", window: panWindow(w, -(shift ? KEY_PAN * 3 : KEY_PAN), bounds) };
    case "d":
    case "ArrowRight":
      return { kind: "window", window: panWindow(w, shift ? KEY_PAN * 3 : KEY_PAN, bounds) };
    case "ArrowUp":
      return { kind: "scroll", deltaPx: -40 };
    case "ArrowDown":
      return { kind: "scroll", deltaPx: 40 };
    case "PageUp":
      return { kind: "scroll", deltaPx: -Math.max(40, lanesPx * 0.9) };
    case "PageDown":
      return { kind: "scroll", deltaPx: Math.max(40, lanesPx * 0.9) };
    case "0":
    case "Home":
      return { kind: "fit" };
    case "f":
    case "z":
      return { kind: "zoom-selection" };
    case "Escape":
      return { kind: "clear" };
    case "Enter":
      return { kind: "select-hover" };
    case "[":
    case ",":
      return { kind: "step", direction: -1 };
    case "]":
    case ".":
      return { kind: "step", direction: 1 };
    default:
      return { kind: "none" };
  }
}
