-- Stored objects that must be removed, written in the same transaction that soft-deletes
-- their rows. The deletion job removes the objects and then the record; the sweep queues the
-- job again for records it finds old (their job was lost with Redis), so no deletion depends
-- on the queue alone.
CREATE TABLE object_deletions (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    object_key VARCHAR(255) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY object_deletions_key (object_key),
    KEY object_deletions_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
