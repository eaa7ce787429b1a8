//! How an order is paid. A provider charges and refunds inside the caller's transaction, so
//! the money movement and the order's state change commit or roll back together. Points are
//! the provider we ship; a card gateway would implement the same trait (recording its charge
//! id in the same transaction).

use std::future::Future;

use sqlx::MySqlConnection;

use crate::{domain::FailureReason, error::AppError};

pub enum Charge {
    Paid,
    /// Declined, with the reason recorded on the order.
    Declined(FailureReason),
}

pub trait PaymentProvider: Send + Sync {
    fn charge(
        &self,
        conn: &mut MySqlConnection,
        user_id: u64,
        amount: i64,
    ) -> impl Future<Output = Result<Charge, AppError>> + Send;

    fn refund(
        &self,
        conn: &mut MySqlConnection,
        user_id: u64,
        amount: i64,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// Pays with the booker's points balance.
#[derive(Debug, Clone, Copy, Default)]
pub struct PointsProvider;

impl PaymentProvider for PointsProvider {
    async fn charge(
        &self,
        conn: &mut MySqlConnection,
        user_id: u64,
        amount: i64,
    ) -> Result<Charge, AppError> {
        // The balance check and the debit are one statement: no read-then-write race.
        let debited =
            sqlx::query("UPDATE users SET points = points - ? WHERE id = ? AND points >= ?")
                .bind(amount)
                .bind(user_id)
                .bind(amount)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        Ok(if debited == 1 {
            Charge::Paid
        } else {
            Charge::Declined(FailureReason::InsufficientPoints)
        })
    }

    async fn refund(
        &self,
        conn: &mut MySqlConnection,
        user_id: u64,
        amount: i64,
    ) -> Result<(), AppError> {
        sqlx::query("UPDATE users SET points = points + ? WHERE id = ?")
            .bind(amount)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}
