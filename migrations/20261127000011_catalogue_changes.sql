-- The catalogue's outbox: each transaction that changes what a space's public detail shows
-- (the space, its photos, likes, reviews, its host's nickname) adds the space's id here, so
-- every API process's in-memory catalogue learns of it (docs/catalogue.md). Ids are read in
-- order; a gap is a transaction still in flight (or rolled back) and is watched for a while.
-- No foreign key: a key to spaces would share-lock the space's row at the end of transactions
-- that hold claims, inverting the lock order of docs/locking.md.
CREATE TABLE catalogue_changes (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    space_id BIGINT UNSIGNED NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY catalogue_changes_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
