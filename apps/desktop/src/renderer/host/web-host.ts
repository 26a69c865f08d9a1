import type { HostApi } from "./host-api.ts";

/** Triggers a browser download of `data` named `name` (no server round trip). */
export function downloadBlob(name: string, data: Blob, doc: Document = document): void {
  const url = URL.createObjectURL(data);
  const a = doc.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  a.style.display = "none";
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke after the click has been handled (the download keeps its own reference).
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The browser host: file input + drag and drop for opening, downloads for saving. */
export function createWebHost(doc: Document = document): HostApi {
  return {
    kind: "web",
    async saveFile(name, _kind, data) {
      downloadBlob(name, data, doc);
      return true;
    },
    async recentFiles() {
      return [];
    },
    onMenu() {
      return () => undefined;
    },
    setTitle(title) {
      doc.title = title;
    },
  };
}
