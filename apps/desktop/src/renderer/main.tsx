import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";
import { selectHost } from "./host/select-host.ts";
import { useApp } from "./state/app-store.ts";
import type { Services } from "./state/services.ts";
import { EngineHost } from "./worker/engine-client.ts";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
const engine = new EngineHost((message) => {
  const s = useApp.getState();
  if (s.importStatus === "running") s.finishImport({ error: message });
  else s.setToast(message);
});
// `engine` is read on every call, so a restarted worker is picked up.
const services: Services = {
  get engine() {
    return engine.api;
  },
  host: selectHost(),
};
createRoot(root).render(
  <StrictMode>
    <App services={services} />
  </StrictMode>,
);
