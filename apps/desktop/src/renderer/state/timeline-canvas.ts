/** The timeline's canvas element, for "Export timeline as PNG" (one timeline per window). */
export const timelineCanvas: { current: HTMLCanvasElement | null } = { current: null };
