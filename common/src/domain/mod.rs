//! Domain types. Each is parsed once at the edge (`parse` / `TryFrom`) so the rest of the
//! system never sees an unchecked value.

mod booking;
pub(crate) mod column;
mod identity;
mod image;
mod listing;
mod moment;
mod order;
mod refund;
mod slot;
mod user;
mod values;

pub use booking::{
    BookerInput, BookingDate, HourlyRules, MAX_DAYS_AHEAD, ValidBooker, booked_hours, validation,
};
pub use column::UnknownName;
pub use identity::{KakaoProfile, RefreshToken};
pub use image::ImageStatus;
pub use listing::{
    AvailabilityRange, Keyword, Page, PriceRange, SpaceFilter, SpaceListParams, SpaceSort,
};
pub use moment::Moment;
pub use order::{ConflictCode, FailureReason, OrderEventCause, OrderStatus};
pub use refund::{Cancelable, Cancellation, RefundPolicy, RefundTier};
pub use slot::{Hours, Slot};
pub use user::Nickname;
pub use values::{Headcount, Won};
