//! `stoa create-staff`: creates a staff account from the command line (the first owner,
//! before anyone can log in to the staff area).

use app::accounts::model::Role;
use app::kernel::email::EmailAddress;
use std::io::BufRead;

pub struct CreatedStaff {
    pub id: i64,
    /// The generated password, to print once; `None` when it was read from stdin.
    pub generated_password: Option<String>,
}

/// Reads the password from the first line of `input` when given, or generates one.
pub async fn create_staff(
    pool: &sqlx::PgPool,
    email: &str,
    name: &str,
    role: &str,
    password_from: Option<&mut dyn BufRead>,
) -> Result<CreatedStaff, String> {
    let email = EmailAddress::parse(email)?;
    let role = Role::parse(role)?;
    let (password, generated) = match password_from {
        Some(input) => {
            let mut line = String::new();
            input
                .read_line(&mut line)
                .map_err(|e| format!("could not read the password from stdin: {e}"))?;
            (line.trim_end_matches(['\r', '\n']).to_owned(), false)
        }
        None => (app::accounts::password::generate_password(), true),
    };
    let id = app::accounts::repo::create_staff(pool, &email, name, role, &password)
        .await
        .map_err(|e| e.to_string())?;
    Ok(CreatedStaff {
        id,
        generated_password: generated.then_some(password),
    })
}
