//! The audit log: every change made from the staff area, with who made it, from where,
//! and the values before and after, written in the transaction of the change. It can be
//! read and filtered; nothing in the application edits or deletes it (and the database
//! refuses to).

pub mod api;
pub mod page;
