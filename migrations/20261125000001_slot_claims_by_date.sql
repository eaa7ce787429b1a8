-- The list's date filter asks "which spaces have a live claim on this date (and half)?" once
-- per query; this index answers it with a range read instead of a scan of every claim.
CREATE INDEX slot_claims_date ON slot_claims (date, slot, space_id, expires_at);
