//! Pieces the worker's process tests share.

/// Removes every Redis key under `prefix`: a test's queues, staged photos and the workers'
/// registrations.
pub fn forget_redis_keys(redis_url: &str, prefix: &str) {
    let Ok(mut redis) = redis::Client::open(redis_url).and_then(|client| client.get_connection())
    else {
        return;
    };
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query(&mut redis)
        .unwrap_or_default();
    if !keys.is_empty() {
        let _: Result<(), _> = redis::cmd("DEL").arg(keys).query(&mut redis);
    }
}
