/** Where the API listens unless told otherwise (no dependencies: the CLI reads these at start). */
export const DEFAULT_API_HOST = "127.0.0.1";
export const DEFAULT_API_PORT = 8984;
