//! Error policy: code inside `common` returns [`AppError`], a `thiserror` enum whose variants say
//! what went wrong in domain terms (not found, invalid input, conflict) or which dependency failed.
//! Binaries add context with `anyhow` only at their edges (start-up, CLI commands). The HTTP layer
//! maps each variant to one problem+json response; unexpected variants are logged there, once,
//! with their cause chain, and the client sees an opaque 500.

use serde::Serialize;

/// One invalid field of a request, reported back to the client as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Authenticated, but not allowed to touch this resource (not its owner).
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// A host booking or reviewing their own space.
    #[error("a host cannot {0} their own space")]
    OwnSpace(&'static str),
    /// Well-formed input that breaks a rule; answered 422 with every offending field.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Malformed input (a value that is not of its type at all); answered 400.
    #[error("malformed {field}: {message}")]
    Malformed { field: String, message: String },
    #[error("{detail}")]
    Conflict {
        code: crate::domain::ConflictCode,
        detail: String,
    },
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database migration error")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("redis error")]
    Redis(#[from] redis::RedisError),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn malformed(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Malformed {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The unique index a duplicate-key error hit, if that is what `err` is. MySQL reports no
/// constraint name through sqlx, so the index is found in the server's message.
pub fn violated_unique_index<'e>(err: &'e sqlx::Error, indexes: &[&'e str]) -> Option<&'e str> {
    let db_err = err.as_database_error()?;
    if !db_err.is_unique_violation() {
        return None;
    }
    let message = db_err.message();
    indexes
        .iter()
        .copied()
        .find(|index| names_index(message, index))
}

/// Whether a duplicate-key message names `index`: MariaDB says `for key 'PRIMARY'`, MySQL 8.0.19
/// and later `for key 'hour_claims.PRIMARY'` (table first).
fn names_index(message: &str, index: &str) -> bool {
    let Some((_, key)) = message.rsplit_once(" for key ") else {
        return false;
    };
    let key = key.trim().trim_matches('\'');
    key == index || key.rsplit_once('.').is_some_and(|(_, name)| name == index)
}

/// An error and its causes, fit for a log line. A database's own message quotes the values of
/// the statement that failed (`Duplicate entry 'minji@example.com' for key …`), and logs must
/// never carry those: a database error is described by its codes only.
pub fn loggable(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(sqlx::Error::Database(database)) = error.downcast_ref::<sqlx::Error>() {
            let number = database
                .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                .map(|mysql| mysql.number().to_string())
                .unwrap_or_default();
            parts.push(format!(
                "database error {number} (SQLSTATE {})",
                database.code().unwrap_or_default()
            ));
            break;
        }
        if let Some(AppError::Database(sqlx::Error::Database(_))) = error.downcast_ref::<AppError>()
        {
            // Its source, next, is described by its codes.
            parts.push("database error".to_owned());
            current = error.source();
            continue;
        }
        parts.push(error.to_string());
        current = error.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::names_index;

    #[test]
    fn a_duplicate_key_names_its_index_on_mariadb_and_on_mysql_8() {
        let mariadb = "Duplicate entry '5-2026-12-01-10' for key 'PRIMARY'";
        let mysql = "Duplicate entry '5-2026-12-01-10' for key 'hour_claims.PRIMARY'";
        for message in [mariadb, mysql] {
            assert!(names_index(message, "PRIMARY"), "{message}");
            assert!(!names_index(message, "users_kakao_id_unique"), "{message}");
        }
        assert!(names_index(
            "Duplicate entry '1' for key 'users.users_kakao_id_unique'",
            "users_kakao_id_unique"
        ));
        // A value that happens to contain the index's name is not the index.
        assert!(!names_index(
            "Duplicate entry 'PRIMARY' for key 'users.users_kakao_id_unique'",
            "PRIMARY"
        ));
    }
}
