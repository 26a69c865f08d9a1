// Node-only entry point of @devscope/tracer: file streaming, gzip, worker threads.
export {};
