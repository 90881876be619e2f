// Requests to the bot's content API: the Teams token (when signed in) on every request, and the CSRF
// token and JSON on every request that checks or changes anything.

export class Api {
  constructor(token) {
    this.token = token; // async () => string | null
    this.csrf = "";
  }

  async get(path) {
    return this.request("GET", path);
  }

  async post(path, body) {
    return this.request("POST", path, body);
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    const token = await this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = this.csrf;
    }
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      return { status: 0, ok: false, data: { message: "The bot could not be reached. Check your connection and try again." } };
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    return { status: response.status, ok: response.ok, data };
  }
}

export function query(params) {
  return new URLSearchParams(params).toString();
}
