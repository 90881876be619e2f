-- Records of one person that could not be decoded or decrypted, moved here exactly as they were (never
-- deleted by the bot) so that everyone else is still served; an operator restores or closes each one
-- with `python -m bot storage quarantine`.
CREATE TABLE quarantine (
    id text PRIMARY KEY,
    name text NOT NULL,
    body bytea NOT NULL,
    encrypted boolean NOT NULL,
    reason text NOT NULL,
    set_aside_at timestamptz NOT NULL DEFAULT now(),
    told boolean NOT NULL DEFAULT false
);
CREATE INDEX quarantine_by_name ON quarantine (name);
