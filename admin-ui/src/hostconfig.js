// Adaptive Cards host configs for the preview: Teams' light and dark themes, as Teams draws a bot's card
// in a chat (Segoe UI at 12/14/18/24 px, 16 px padding, at most 6 buttons). The colours are Teams' theme
// colours as Microsoft publishes them for its own card hosts (the "microsoft-teams-light" and
// "microsoft-teams-dark" host configs of the Adaptive Cards designer and Teams' mobile renderer): text
// #242424 / #ffffff, subtle text at 75 %, accent #6264a7 / #a6a7dc, the card #ffffff / #2d2c2c.
// tests/browser/axe_cards.mjs measures the cards' contrast with the same light colours.

const FONT = {
  fontFamily: "'Segoe UI', Tahoma, Geneva, Verdana, sans-serif",
  fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
  fontWeights: { lighter: 200, default: 400, bolder: 600 },
};

function colours(text, subtle, accent, accentSubtle) {
  return {
    default: { default: text, subtle },
    dark: { default: "#ff201f1f", subtle: "#ff2d2c2c" },
    light: { default: "#ffffffff", subtle: "#bfffffff" },
    accent: { default: accent, subtle: accentSubtle },
    good: { default: "#ff237b4b", subtle: "#ff237b4b" },
    warning: { default: "#ff835b00", subtle: "#ff835b00" },
    attention: { default: "#ffc4314b", subtle: "#ffc4314b" },
  };
}

function hostConfig({ background, emphasis, text, subtle, accent, accentSubtle }) {
  const foregroundColors = colours(text, subtle, accent, accentSubtle);
  return {
    supportsInteractivity: true,
    spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: "#ffe1e1e1" },
    fontTypes: { default: FONT, monospace: { ...FONT, fontFamily: "'Courier New', Courier, monospace" } },
    textStyles: { heading: { fontType: "default", size: "large", weight: "bolder", color: "default", isSubtle: false } },
    textBlock: { headingLevel: 2 },
    containerStyles: {
      default: { backgroundColor: background, foregroundColors },
      emphasis: { backgroundColor: emphasis, foregroundColors },
    },
    actions: {
      maxActions: 6,
      spacing: "default",
      buttonSpacing: 8,
      showCard: { actionMode: "inline", inlineTopMargin: 16, style: "emphasis" },
      actionsOrientation: "horizontal",
      actionAlignment: "left",
    },
    adaptiveCard: { allowCustomStyle: false },
    imageSizes: { small: 32, medium: 52, large: 100 },
    factSet: {
      title: { size: "default", color: "default", isSubtle: false, weight: "bolder", wrap: true },
      value: { size: "default", color: "default", isSubtle: false, weight: "default", wrap: true },
      spacing: 16,
    },
  };
}

export const TEAMS = {
  light: {
    config: hostConfig({
      background: "#ffffffff",
      emphasis: "#fff5f5f5",
      text: "#ff242424",
      subtle: "#bf242424",
      accent: "#ff6264a7",
      accentSubtle: "#ff8b8cc7",
    }),
    chat: "#f5f5f5", // the chat behind the card
    name: "Light",
  },
  dark: {
    config: hostConfig({
      background: "#ff2d2c2c",
      emphasis: "#ff292828",
      text: "#ffffffff",
      subtle: "#bfffffff",
      accent: "#ffa6a7dc",
      accentSubtle: "#ffa6a7dc",
    }),
    chat: "#1f1f1f",
    name: "Dark",
  },
};

// Teams mobile draws a card about 320 px wide; the desktop chat up to about 560 px.
export const WIDTHS = { narrow: 320, wide: 560 };
