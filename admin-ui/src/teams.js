// Built into bot/admin/static/teams.js and loaded only inside Teams (never in local mode): the Teams
// JavaScript library, for single sign-on and the Teams theme. The page's own code (main.js) never
// imports it, so local mode loads nothing from Microsoft's library.
import { app, authentication } from "@microsoft/teams-js";

window.PeerWellbeingTeams = {
  /** Initialise, tell Teams the page loaded, and return the theme and the user's name. */
  async start() {
    await app.initialize();
    const context = await app.getContext();
    app.notifySuccess();
    return { theme: context.app?.theme || "default", name: context.user?.displayName || "" };
  },
  /** A Teams SSO token for this app's API (Teams caches it and asks Entra for a new one when needed). */
  token() {
    return authentication.getAuthToken();
  },
  onTheme(handler) {
    app.registerOnThemeChangeHandler(handler);
  },
};
