/** A task as the trace prints it: `comm-pid` on a CPU. */
export interface Task {
  readonly comm: string;
  readonly pid: number;
  /** CPU the task runs on (0-based). */
  cpu: number;
}

/** pid 0 is the idle task of each CPU (`<idle>-0`). */
export const IDLE_PID = 0;
