use glassbox_migrations::{Migrator, MigratorTrait};
use glassbox_tests::spawn_app;
use sea_orm::Database;

/// Every migration has a working `down`: up → down → up leaves a usable schema.
#[tokio::test]
async fn migrations_go_down_and_up_again() {
    let app = spawn_app().await;
    let db = Database::connect(app.settings.database_url.as_str()).await.unwrap();
    let applied = Migrator::get_applied_migrations(&db).await.unwrap().len();
    assert_eq!(applied, Migrator::migrations().len());
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), 0);
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), applied);
    db.close().await.unwrap();
    let admin = app.bootstrap("After migrations", "ana@after.test").await;
    app.get("/api/v1/me", &admin.access_token).await.expect(200);
}
