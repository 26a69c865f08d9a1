import type { Remote } from "comlink";
import { createContext, useContext } from "react";
import type { HostApi } from "../host/host-api.ts";
import type { EngineApi } from "../worker/engine-types.ts";

/** What views need besides the store: the worker and the platform host. */
export interface Services {
  engine: Remote<EngineApi>;
  host: HostApi;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error("ServicesContext is missing (render inside <App>)");
  return s;
}
