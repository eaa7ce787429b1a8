use crate::helpers::spawn_app;

#[tokio::test]
async fn districts_categories_and_facilities_are_listed() {
    let app = spawn_app().await;
    let reference = app.insert_reference(3).await;

    let districts = app.get("/api/v1/districts").await;
    assert_eq!(districts.status, 200);
    let districts = districts.body.as_array().unwrap().clone();
    assert_eq!(districts.len(), 3);
    assert_eq!(districts[0]["id"], reference.districts[0]);
    assert_eq!(districts[0]["name"], "district 0");
    assert_eq!(districts[0]["latitude"], 37.5);
    assert_eq!(districts[0]["longitude"], 127.0);

    for (path, ids) in [
        ("/api/v1/categories", &reference.categories),
        ("/api/v1/facilities", &reference.facilities),
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200);
        let got: Vec<u64> = reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                assert!(item["name"].is_string());
                assert!(
                    item.get("image_url").is_some(),
                    "image_url is always present"
                );
                item["id"].as_u64().unwrap()
            })
            .collect();
        assert_eq!(&got, ids);
    }
}

#[tokio::test]
async fn catalogue_answers_an_empty_list_on_an_empty_database() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/districts",
        "/api/v1/categories",
        "/api/v1/facilities",
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, serde_json::json!([]));
    }
}
