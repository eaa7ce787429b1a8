-- Refund policies and request-to-book. A space's cancellation policy and whether it confirms
-- bookings at once. An order keeps both as they were when it was placed (a host who tightens
-- the policy later does not shrink the refunds of bookings already made, and switching
-- approval on or off does not change the path of a booking already made), and, while its host
-- decides, the deadline after which the worker declines it.
ALTER TABLE spaces
    ADD COLUMN refund_policy ENUM('flexible', 'standard', 'strict') NOT NULL DEFAULT 'flexible',
    ADD COLUMN instant_booking BOOLEAN NOT NULL DEFAULT TRUE;

-- New states are appended, so existing rows keep their stored values.
ALTER TABLE orders
    MODIFY status ENUM('waiting', 'payment_pending', 'completed', 'failed', 'expired',
        'canceled', 'awaiting_approval', 'declined') NOT NULL,
    ADD COLUMN refund_policy ENUM('flexible', 'standard', 'strict') NOT NULL DEFAULT 'flexible',
    ADD COLUMN instant_booking BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN approval_deadline DATETIME(6) NULL,
    ADD COLUMN decline_reason VARCHAR(500) NULL,
    -- The sweep's search for requests nobody decided in time.
    ADD KEY orders_status_approval (status, approval_deadline),
    -- A host's queue of requests, oldest deadline first.
    ADD KEY orders_space_status_approval (space_id, status, approval_deadline);

ALTER TABLE order_events
    MODIFY from_status ENUM('waiting', 'payment_pending', 'completed', 'failed', 'expired',
        'canceled', 'awaiting_approval', 'declined') NULL,
    MODIFY to_status ENUM('waiting', 'payment_pending', 'completed', 'failed', 'expired',
        'canceled', 'awaiting_approval', 'declined') NOT NULL;

-- Written by the transaction of the transition it tells of. No foreign keys, on purpose: a
-- key to users would share-lock the recipient's row, and a settlement (which holds its guest's
-- row) notifying a host who is at that moment refunded as a guest elsewhere would deadlock.
-- Users and orders are never deleted, so the ids stay valid.
CREATE TABLE notifications (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id BIGINT UNSIGNED NOT NULL,
    kind VARCHAR(32) NOT NULL,
    order_id BIGINT UNSIGNED NOT NULL,
    space_id BIGINT UNSIGNED NOT NULL,
    message VARCHAR(1000) NOT NULL,
    is_read BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY notifications_user (user_id, id),
    KEY notifications_user_unread (user_id, is_read)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
