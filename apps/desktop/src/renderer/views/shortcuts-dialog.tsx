import { useApp } from "../state/app-store.ts";

export const SHORTCUTS: [string, string][] = [
  ["Ctrl+O", "Open trace files"],
  ["?", "Show this help"],
  ["1 2 3 4 5", "Focus devices, findings, timeline, resources, details"],
  ["Shift+T", "Toggle light / dark theme"],
  ["Esc", "Clear the selection / close a dialog"],
  ["W / S, + / −, wheel", "Timeline: zoom in / out (Shift: faster)"],
  ["A / D, ← / →, Shift+wheel, drag", "Timeline: pan in time"],
  ["↑ / ↓, PgUp / PgDn", "Timeline: scroll lanes"],
  ["F or Z", "Timeline: zoom to the selection"],
  ["0 or Home", "Timeline: show the whole trace"],
  ["[ / ]", "Timeline: previous / next resource in the same row"],
  ["Enter", "Timeline: select the hovered bar; table: zoom to it"],
  ["↑ / ↓ / Home / End", "Devices, findings, resources: move"],
  ["→ / ←", "Devices: expand / collapse epochs"],
];

export function ShortcutsDialog() {
  const open = useApp((s) => s.shortcutsOpen);
  if (!open) return null;
  const close = (): void => useApp.getState().setShortcutsOpen(false);
  return (
    <div className="modal-backdrop" onClick={close}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        onClick={(e) => e.stopPropagation()}
        data-testid="shortcuts"
      >
        <h2>Keyboard shortcuts</h2>
        <table className="shortcut-table">
          <tbody>
            {SHORTCUTS.map(([k, what]) => (
              <tr key={k}>
                <td>
                  {k.split(", ").map((part, i) => (
                    <span key={i}>
                      {i > 0 && ", "}
                      <kbd>{part}</kbd>
                    </span>
                  ))}
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <button className="btn" onClick={close} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
