/**
 * Files the user opened, by unguessable token: the renderer can read bytes only of files the
 * user picked in a native dialog or from the recent list, never of an arbitrary path.
 */
export class FileRegistry {
  private byToken = new Map<string, string>();

  constructor(private newToken: () => string) {}

  /** Registers a path and returns its token (a path opened twice gets a fresh token). */
  add(path: string): string {
    let token = this.newToken();
    while (this.byToken.has(token)) token = this.newToken();
    this.byToken.set(token, path);
    return token;
  }

  /** The path of a token, or null when the renderer passed one main never issued. */
  path(token: string): string | null {
    return this.byToken.get(token) ?? null;
  }
}
