//! Table `accounts`.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub parent_account_id: Option<Uuid>,
    pub industry: Option<String>,
    pub website: Option<String>,
    pub employees: Option<i32>,
    pub annual_revenue_minor: Option<i64>,
    pub currency: String,
    pub owner_id: Uuid,
    pub external_id: Option<String>,
    pub deleted_at: Option<DateTimeUtc>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
