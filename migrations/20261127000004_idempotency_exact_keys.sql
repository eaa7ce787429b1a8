-- Idempotency keys are compared byte for byte: under the table's case-insensitive collation
-- `Key-A` and `key-a` were one key, so a client's second request could be answered with the
-- first one's order. Keys are ASCII (the API refuses anything else), so ascii_bin loses nothing.
-- The order a key produced moves to its own column; response_status/response_body now keep the
-- first response itself, which a replay answers with.
ALTER TABLE idempotency_keys
    MODIFY scope VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    MODIFY idempotency_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    ADD COLUMN result_id BIGINT UNSIGNED NULL AFTER request_hash;

UPDATE idempotency_keys
SET result_id = CAST(CAST(response_body AS CHAR) AS UNSIGNED),
    response_status = NULL,
    response_body = NULL
WHERE response_status = 200;
