use chrono::{Duration, Utc};
use spacecloud_common::domain::{OrderStatus, Slot};

use crate::{
    helpers::{new_order, new_space, spawn_app},
    telemetry::StatementCounter,
};

/// The list and detail run a fixed number of statements, however many rows, images, options
/// and facilities there are. (Tokio's test runtime is single-threaded, so the server's
/// statements are seen by the counter installed on this thread.)
#[tokio::test]
async fn list_and_detail_run_a_fixed_number_of_statements() {
    let app = spawn_app().await;
    let reference = app.insert_reference(4).await;
    let host = app.insert_user("host").await;
    let guest = app.insert_user("guest").await;
    let date = app.today() + chrono::Days::new(1);
    let mut ids = Vec::new();
    for n in 0..30 {
        let mut space = new_space(
            host,
            &reference,
            &[
                (Slot::Day, 1000 + n),
                (Slot::Night, 2000),
                (Slot::All, 2500),
            ],
        );
        space.facility_ids = reference.facilities.clone();
        let id = app.insert_space(&space).await;
        for position in 0..3 {
            app.add_ready_image(id, position, &format!("{id}-{position}"))
                .await;
        }
        let option = app.option_id(id, Slot::Day).await;
        let hold = Utc::now() + Duration::hours(1);
        app.insert_order(new_order(
            guest,
            id,
            option,
            Slot::Day,
            date,
            OrderStatus::Completed,
            hold,
        ))
        .await
        .unwrap();
        ids.push(id);
    }
    // Warm the pool so connection set-up statements are not counted.
    assert_eq!(app.get("/api/v1/spaces").await.status, 200);

    let counter = StatementCounter::install();
    for per_page in ["1", "10", "100"] {
        for query in [
            vec![("per_page", per_page.to_owned())],
            vec![
                ("per_page", per_page.to_owned()),
                ("date", date.to_string()),
                ("headcount", "3".to_owned()),
                ("category_id", reference.categories[0].to_string()),
                ("facility_id", reference.facilities[0].to_string()),
                ("facility_id", reference.facilities[1].to_string()),
                ("q", "sunny".to_owned()),
                ("sort", "price_asc".to_owned()),
            ],
        ] {
            counter.take();
            let reply = app.get_query("/api/v1/spaces", &query).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            assert!(!reply.body["items"].as_array().unwrap().is_empty());
            // From the in-memory catalogue, whatever the filters and the page size.
            let statements = counter.take();
            assert_eq!(
                statements, 0,
                "list ran {statements} statements for {query:?}"
            );
        }
    }

    // The detail comes from the in-memory catalogue: nothing for an anonymous caller, the
    // `liked` lookup for a signed-in one.
    counter.take();
    let reply = app.get(&format!("/api/v1/spaces/{}", ids[0])).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["images"].as_array().unwrap().len(), 3);
    assert_eq!(counter.take(), 0, "an anonymous detail ran statements");
    let viewer = app.login_as(77, "viewer").await;
    counter.take();
    let reply = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/spaces/{}", ids[0]),
            Some(&viewer.access_token),
            None,
        )
        .await;
    assert_eq!(reply.body["liked"], false);
    assert_eq!(
        counter.take(),
        2,
        "a signed-in detail runs the token's user lookup and the `liked` lookup only"
    );
}
