import { type PointerEvent as ReactPointerEvent, useRef } from "react";

/**
 * A drag handle between two panels. Reports the new size (px) of the panel it resizes;
 * `invert` when that panel is after the handle (its size grows as the pointer moves back).
 */
export function Splitter(props: {
  direction: "v" | "h";
  size: number;
  min: number;
  max: number;
  invert?: boolean;
  onResize(px: number): void;
  label: string;
}) {
  const start = useRef<{ pos: number; size: number } | null>(null);
  const down = (e: ReactPointerEvent<HTMLDivElement>): void => {
    start.current = { pos: props.direction === "v" ? e.clientX : e.clientY, size: props.size };
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.classList.add("dragging");
  };
  const move = (e: ReactPointerEvent<HTMLDivElement>): void => {
    if (!start.current) return;
    const d = (props.direction === "v" ? e.clientX : e.clientY) - start.current.pos;
    props.onResize(
      Math.round(
        Math.min(props.max, Math.max(props.min, start.current.size + (props.invert ? -d : d))),
      ),
    );
  };
  const up = (e: ReactPointerEvent<HTMLDivElement>): void => {
    start.current = null;
    e.currentTarget.classList.remove("dragging");
  };
  const key = (e: React.KeyboardEvent<HTMLDivElement>): void => {
    const step = e.shiftKey ? 50 : 10;
    const dec = props.direction === "v" ? "ArrowLeft" : "ArrowUp";
    const inc = props.direction === "v" ? "ArrowRight" : "ArrowDown";
    if (e.key !== dec && e.key !== inc) return;
    e.preventDefault();
    const sign = (e.key === inc ? 1 : -1) * (props.invert ? -1 : 1);
    props.onResize(Math.min(props.max, Math.max(props.min, props.size + sign * step)));
  };
  return (
    <div
      className={`splitter ${props.direction}`}
      role="separator"
      aria-orientation={props.direction === "v" ? "vertical" : "horizontal"}
      aria-label={props.label}
      aria-valuenow={props.size}
      aria-valuemin={props.min}
      aria-valuemax={props.max}
      tabIndex={0}
      onPointerDown={down}
      onPointerMove={move}
      onPointerUp={up}
      onPointerCancel={up}
      onKeyDown={key}
    />
  );
}
