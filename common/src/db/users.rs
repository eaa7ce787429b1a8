//! Users, known by their Kakao id alone (a nickname is only a label and changes).

use chrono::{DateTime, Utc};
use sqlx::{FromRow, MySqlConnection};

use crate::{
    domain::KakaoProfile,
    domain::Nickname,
    error::{AppError, violated_unique_index},
};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: u64,
    pub kakao_id: i64,
    pub nickname: String,
    pub email: Option<String>,
    pub profile_image_url: Option<String>,
    pub points: i64,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

const USER_COLUMNS: &str =
    "id, kakao_id, nickname, email, profile_image_url, points, created_at, deleted_at";

pub struct SignIn {
    pub user: UserRow,
    pub created: bool,
}

/// Creates the user of a Kakao profile on first sight, otherwise refreshes what Kakao says
/// about them. Concurrent first logins of the same person create one row: the unique Kakao id
/// turns every insert but one into an update.
pub async fn sign_in_from_kakao(
    conn: &mut MySqlConnection,
    profile: &KakaoProfile,
    signup_points: i64,
    now: DateTime<Utc>,
) -> Result<SignIn, AppError> {
    let nickname = Nickname::from_kakao(profile.nickname.as_deref(), profile.kakao_id);
    let email = profile.email.as_deref().filter(|email| email.len() <= 255);
    let image = profile
        .profile_image_url
        .as_deref()
        .filter(|url| url.len() <= 1024);
    let inserted = sqlx::query(
        "INSERT INTO users (kakao_id, nickname, email, profile_image_url, points, created_at, \
         updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(profile.kakao_id)
    .bind(nickname.as_str())
    .bind(email)
    .bind(image)
    .bind(signup_points)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await;
    let created = match inserted {
        Ok(_) => true,
        Err(err) if violated_unique_index(&err, &["users_kakao_id_unique"]).is_some() => {
            // The nickname Kakao reports is the host's name on their spaces: the update and the
            // catalogue's record of it commit together.
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let before: Option<(u64, String)> =
                sqlx::query_as("SELECT id, nickname FROM users WHERE kakao_id = ? FOR UPDATE")
                    .bind(profile.kakao_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            sqlx::query(
                "UPDATE users SET nickname = ?, email = ?, profile_image_url = ?, updated_at = ? \
                 WHERE kakao_id = ?",
            )
            .bind(nickname.as_str())
            .bind(email)
            .bind(image)
            .bind(now)
            .bind(profile.kakao_id)
            .execute(&mut *tx)
            .await?;
            // Most sign-ins bring the same nickname: only a new one changes the host's spaces.
            if let Some((user_id, before)) = before
                && before != nickname.as_str()
            {
                crate::catalogue::record_host(&mut tx, user_id, now).await?;
            }
            tx.commit().await?;
            false
        }
        Err(err) => return Err(err.into()),
    };
    let user = sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE kakao_id = ?"
    )))
    .bind(profile.kakao_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(SignIn { user, created })
}

/// Who an access token speaks for: a live user, and whether the token's login was ended.
pub enum Bearer {
    Active(UserRow),
    LoginEnded,
    Gone,
}

/// The user behind an access token of login `session`, in one round trip: every
/// authenticated request asks this.
pub async fn bearer(
    conn: &mut MySqlConnection,
    id: u64,
    session: uuid::Uuid,
) -> Result<Bearer, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        login_ended: bool,
    }
    let row = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS}, EXISTS (SELECT 1 FROM refresh_tokens \
         WHERE family_id = ? AND revoked_at IS NOT NULL) AS login_ended \
         FROM users WHERE id = ? AND deleted_at IS NULL"
    )))
    .bind(&session.as_bytes()[..])
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => Bearer::Gone,
        Some(row) if row.login_ended => Bearer::LoginEnded,
        Some(row) => Bearer::Active(row.user),
    })
}

/// A live (not deleted) user.
pub async fn find_active(conn: &mut MySqlConnection, id: u64) -> Result<Option<UserRow>, AppError> {
    Ok(sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = ? AND deleted_at IS NULL"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn rename(
    conn: &mut MySqlConnection,
    id: u64,
    nickname: &Nickname,
    now: DateTime<Utc>,
) -> Result<UserRow, AppError> {
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT nickname FROM users WHERE id = ? FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query(
        "UPDATE users SET nickname = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(nickname.as_str())
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if before.as_deref() != Some(nickname.as_str()) {
        crate::catalogue::record_host(&mut tx, id, now).await?;
    }
    tx.commit().await?;
    find_active(conn, id)
        .await?
        .ok_or(AppError::NotFound("user"))
}
