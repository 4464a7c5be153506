/** Checks webhook URLs at start-up, so a typo fails loudly instead of dropping every event. */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`webhook URL ${JSON.stringify(raw)} is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`webhook URL ${JSON.stringify(raw)} is not http:// or https://`);
  }
  if (url.username !== "" || url.password !== "") {
    // fetch refuses such URLs; say so now, without echoing the password.
    throw new Error(
      `webhook URL ${JSON.stringify(redactedUrl(url))} carries a user name or password, which fetch does not send; put a token in the path or query instead`,
    );
  }
  return url;
}

/** The URL as it may appear in logs: no user name or password. */
export function redactedUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}
