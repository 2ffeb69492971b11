//! sea-orm table models. Rows never leave this crate: repositories map them to
//! domain types.

pub mod orgs;
pub mod refresh_tokens;
pub mod team_members;
pub mod teams;
pub mod users;
