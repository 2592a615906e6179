-- Account state (issue 3): why an account cannot sync until its user acts,
-- the sentence to show, and a pending claims challenge (conditional access)
-- the next interactive sign-in must answer. Tokens never live here.
ALTER TABLE accounts ADD COLUMN state       TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE accounts ADD COLUMN state_error TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN claims      TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN state_at    INTEGER;
