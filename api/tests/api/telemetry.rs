//! One global tracing subscriber for the test binary. Per-thread state lets each test count the
//! SQL statements and capture the log lines of its own server: tokio's test runtime runs the
//! test and the server it spawned on one thread. A global subscriber (rather than a scoped one
//! per test) keeps tracing's per-callsite interest cache from racing between parallel tests.

use std::{cell::RefCell, fmt::Write, sync::Once};

use tracing::{
    Event, Subscriber,
    field::{Field, Visit},
    level_filters::LevelFilter,
};
use tracing_subscriber::{EnvFilter, Layer, fmt, layer::Context, prelude::*, registry::LookupSpan};

thread_local! {
    static STATEMENTS: RefCell<usize> = const { RefCell::new(0) };
    static CAPTURED: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let printed = std::env::var("TEST_LOG").is_ok().then(|| {
            fmt::layer()
                .with_test_writer()
                .with_filter(EnvFilter::new("debug"))
        });
        tracing_subscriber::registry()
            .with(ThreadLocalProbe.with_filter(LevelFilter::DEBUG))
            .with(printed)
            .init();
    });
}

/// Counts sqlx statements on this thread between calls of `take`.
pub struct StatementCounter(());

impl StatementCounter {
    pub fn install() -> Self {
        install();
        STATEMENTS.with(|count| *count.borrow_mut() = 0);
        Self(())
    }

    pub fn take(&self) -> usize {
        STATEMENTS.with(|count| std::mem::take(&mut *count.borrow_mut()))
    }
}

/// Records every event on this thread, message and fields, as text.
pub struct LogCapture(());

impl LogCapture {
    pub fn start() -> Self {
        install();
        CAPTURED.with(|captured| *captured.borrow_mut() = Some(String::new()));
        Self(())
    }

    pub fn text(&self) -> String {
        CAPTURED.with(|captured| captured.borrow().clone().unwrap_or_default())
    }
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        CAPTURED.with(|captured| *captured.borrow_mut() = None);
    }
}

struct ThreadLocalProbe;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for ThreadLocalProbe {
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            // The catalogue's follower polls its outbox from a task of its own on this same
            // thread; those statements are not the request's.
            let mut statement = String::new();
            event.record(&mut TextVisitor(&mut statement));
            if !statement.contains("catalogue_changes") {
                STATEMENTS.with(|count| *count.borrow_mut() += 1);
            }
        }
        CAPTURED.with(|captured| {
            if let Some(text) = captured.borrow_mut().as_mut() {
                let _ = write!(
                    text,
                    "{} {}:",
                    event.metadata().level(),
                    event.metadata().target()
                );
                if let Some(scope) = ctx.event_scope(event) {
                    for span in scope.from_root() {
                        let _ = write!(text, " [{}]", span.name());
                        if let Some(fields) = span
                            .extensions()
                            .get::<fmt::FormattedFields<fmt::format::DefaultFields>>()
                        {
                            let _ = write!(text, "{{{fields}}}");
                        }
                    }
                }
                event.record(&mut TextVisitor(text));
                text.push('\n');
            }
        });
    }
}

struct TextVisitor<'a>(&'a mut String);

impl Visit for TextVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}
