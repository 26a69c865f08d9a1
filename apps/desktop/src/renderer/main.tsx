import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";
import { selectHost } from "./host/select-host.ts";
import { startEngine } from "./worker/engine-client.ts";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
const engine = startEngine();
createRoot(root).render(
  <StrictMode>
    <App services={{ engine: engine.api, host: selectHost() }} />
  </StrictMode>,
);
