-- Every record, as in the embedded store: one row per document (a worker's file, or one of the bot's own).
-- The body is the document's tables as JSON, encrypted with DATA_KEYS when they are set; the name holds
-- only pseudonymous ids.
CREATE TABLE documents (
    name text PRIMARY KEY,
    body bytea NOT NULL,
    encrypted boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
