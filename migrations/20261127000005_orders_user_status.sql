-- A hold counts its user's running holds (MAX_WAITING_HOLDS) while it holds the user's row:
-- through this index the count reads only the waiting orders, however long the user's history.
CREATE INDEX orders_user_status_hold ON orders (user_id, status, hold_expires_at);
