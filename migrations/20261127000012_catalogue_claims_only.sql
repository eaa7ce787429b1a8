-- Most catalogue changes are claims (holds, payments, frees, blocks): they change a space's
-- calendar and its place in date-filtered lists, nothing of its detail. Marked, a reader
-- re-reads only that space's claims (one statement) instead of the whole space (six).
ALTER TABLE catalogue_changes ADD COLUMN claims_only BOOLEAN NOT NULL DEFAULT FALSE;
