//! Signing in and out, sessions, password changes and API tokens (ASVS V2, V3).

use salesdesk_domain::access::{Grants, Permission};
use salesdesk_domain::password::NewPassword;
use salesdesk_domain::user::LoginName;
use salesdesk_domain::{FieldError, Invalid};
use salesdesk_store::{api_tokens, sessions, throttle, users};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::{Actor, App, AppError, AppResult, RequestMeta, Via, actor, now_ms, passwords};

pub struct SignedIn {
    /// The session token for the cookie; shown once, stored only as a hash.
    pub token: String,
    pub actor: Actor,
}

/// Signs in with a username or mobile number and a password. Rate limits are checked before
/// any hashing; unknown, inactive and wrong all answer the same, in the same time.
pub async fn login(
    app: &App,
    login: &str,
    password: &str,
    meta: &RequestMeta,
) -> AppResult<SignedIn> {
    let now = now_ms();
    let s = &app.auth;
    let ip_key = format!("ip:{}", meta.ip);
    // The identifier is resolved to its account before anything is counted, so a username, a
    // mobile number and every spelling of that number share one count and one lock.
    let creds = if login.len() > 64 {
        None
    } else {
        let mut tx = app.db.begin_read().await?;
        let c = match LoginName::parse(login) {
            Some(LoginName::Username(u)) => {
                users::credentials_by_login(&mut tx, Some(u.as_str()), None).await?
            }
            Some(LoginName::Mobile(m)) => {
                users::credentials_by_login(&mut tx, None, Some(m.as_str())).await?
            }
            None => None,
        };
        tx.commit().await?;
        c
    };
    let account_key = throttle_key(login, creds.as_ref().map(|c| c.id));
    {
        let mut tx = app.db.begin_read().await?;
        let since = now - s.failure_window_ms;
        for (key, max) in [
            (&ip_key, s.max_failures_per_ip),
            (&account_key, s.max_failures_per_account),
        ] {
            let (count, oldest) = throttle::failures_since(&mut tx, key, since).await?;
            if count >= max {
                let until = oldest.unwrap_or(now) + s.failure_window_ms;
                return Err(AppError::RateLimited {
                    retry_after_s: ((until - now).max(1000) / 1000) as u64,
                });
            }
        }
        tx.commit().await?;
    }
    let account = creds.as_ref().map(|c| c.id);
    if password.chars().count() > 128 || login.len() > 64 {
        return fail(app, &ip_key, &account_key, account, now, meta).await;
    }
    let stored = creds
        .as_ref()
        .filter(|c| c.active)
        .and_then(|c| c.password_hash.clone());
    let ok = passwords::verify(password.to_owned(), stored).await;
    let Some(creds) = creds.filter(|_| ok) else {
        return fail(app, &ip_key, &account_key, account, now, meta).await;
    };

    let token = passwords::random_token();
    let session_id = Uuid::now_v7();
    let mut tx = app.db.begin_write().await?;
    throttle::clear(&mut tx, &account_key).await?;
    sessions::insert(
        &mut tx,
        &sessions::NewSession {
            id: session_id,
            token_hash: &passwords::token_hash(&token),
            user_id: creds.id,
            now,
            absolute_expires_at: now + s.session_absolute_ms,
            ip: &meta.ip,
            user_agent: &truncate(&meta.user_agent, 300),
        },
    )
    .await?;
    let actor = actor::load(&mut tx, creds.id, Via::Session(session_id)).await?;
    record(
        &mut tx,
        By::Actor(&actor),
        meta,
        "auth.login",
        "session",
        session_id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(SignedIn { token, actor })
}

async fn fail<T>(
    app: &App,
    ip_key: &str,
    account_key: &str,
    account: Option<Uuid>,
    now: i64,
    meta: &RequestMeta,
) -> AppResult<T> {
    let mut tx = app.db.begin_write().await?;
    throttle::record_failure(&mut tx, ip_key, now).await?;
    throttle::record_failure(&mut tx, account_key, now).await?;
    throttle::purge_before(&mut tx, now - 24 * 3600 * 1000).await?;
    // A failure on an account names the account. A name that is no account is not logged (it
    // may be a password typed into the wrong box), only its throttle key's hash.
    let (entity, id) = match account {
        Some(id) => ("user", id.to_string()),
        None => ("login", passwords::token_hash(account_key)[..16].to_owned()),
    };
    record(
        &mut tx,
        By::System("anonymous"),
        meta,
        "auth.login_failed",
        entity,
        id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Err(AppError::InvalidCredentials)
}

/// The failure counter a sign-in attempt counts against: the account's when the identifier
/// names one; otherwise the identifier in its canonical spelling, so an unknown name is
/// throttled exactly like a known one (no enumeration through 429s).
fn throttle_key(login: &str, account: Option<Uuid>) -> String {
    match (account, LoginName::parse(login)) {
        (Some(id), _) => format!("account:{id}"),
        (None, Some(LoginName::Username(u))) => format!("login:{}", u.as_str()),
        (None, Some(LoginName::Mobile(m))) => format!("login:{}", m.as_str()),
        (None, None) => format!("login:{}", login.trim().to_lowercase()),
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The actor behind a session token, if the session is live. Refreshes its idle timer.
/// Book-keeping a request does not wait for (last seen, last used); a failure is logged.
fn in_background(
    work: impl std::future::Future<Output = salesdesk_store::Result<()>> + Send + 'static,
) {
    tokio::spawn(async move {
        if let Err(e) = work.await {
            tracing::warn!(error = %e, "session book-keeping skipped");
        }
    });
}

pub async fn authenticate_session(app: &App, token: &str) -> AppResult<Actor> {
    let now = now_ms();
    let hash = passwords::token_hash(token);
    if let Some(hit) = app.auth_cache.get(&hash, now, app.auth.session_idle_ms) {
        touch_now_and_then(app, &hash, hit.session_id, hit.last_seen_at, now);
        return Ok(hit.actor);
    }
    // Read before the load: a change that overtakes it leaves the entry unused.
    let stamp = app.auth_cache.stamp();
    let mut tx = app.db.begin_read().await?;
    let session = sessions::find_live(&mut tx, &hash, now, app.auth.session_idle_ms)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let actor = actor::load(&mut tx, session.user_id, Via::Session(session.id)).await?;
    tx.commit().await?;
    app.auth_cache.put(
        hash.clone(),
        &actor,
        session.id,
        session.last_seen_at,
        session.absolute_expires_at,
        stamp,
    );
    touch_now_and_then(app, &hash, session.id, session.last_seen_at, now);
    Ok(actor)
}

/// One write a minute per session keeps the idle timer honest without a write per request.
/// It happens beside the request, which never waits for it: on SQLite a long write (an
/// import) holds the only write lock, and reading must not wait for that.
fn touch_now_and_then(app: &App, hash: &str, session_id: uuid::Uuid, last_seen_at: i64, now: i64) {
    if now - last_seen_at <= 60_000 {
        return;
    }
    // The cached idle timer moves at once, so only one request a minute writes.
    app.auth_cache.touched(hash, now);
    let db = app.db.clone();
    in_background(async move {
        let mut tx = db.begin_write().await?;
        sessions::touch(&mut tx, session_id, now).await?;
        tx.commit().await
    });
}

/// API tokens look like `sdk_<64 hex>`; the actor gets the token's permissions, never more
/// than the owner holds now.
pub async fn authenticate_api_token(app: &App, token: &str) -> AppResult<Actor> {
    let now = now_ms();
    let mut tx = app.db.begin_read().await?;
    let row = api_tokens::find_live(&mut tx, &passwords::token_hash(token), now)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let mut actor = actor::load(&mut tx, row.user_id, Via::ApiToken(row.id)).await?;
    tx.commit().await?;
    let allowed: std::collections::BTreeSet<Permission> = row
        .permissions
        .split_whitespace()
        .filter_map(|p| Permission::parse(p).ok())
        .collect();
    actor.grants.permissions = actor
        .grants
        .permissions
        .intersection(&allowed)
        .copied()
        .collect();
    if actor.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    let (db, id) = (app.db.clone(), row.id);
    in_background(async move {
        let mut tx = db.begin_write().await?;
        api_tokens::mark_used(&mut tx, id, now).await?;
        tx.commit().await
    });
    Ok(actor)
}

pub async fn logout(app: &App, actor: &Actor, meta: &RequestMeta) -> AppResult<()> {
    let Via::Session(id) = actor.via else {
        return Ok(());
    };
    let mut tx = app.db.begin_write().await?;
    sessions::end(&mut tx, actor.user_id, id, "logout", now_ms()).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "auth.logout",
        "session",
        id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes one's own password (the current one is required) and ends every other session.
pub async fn change_password(
    app: &App,
    actor: &Actor,
    current: &str,
    new: &str,
    meta: &RequestMeta,
) -> AppResult<()> {
    let (stored, mobile) = {
        let mut tx = app.db.begin_read().await?;
        let creds = users::credentials_by_id(&mut tx, actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = users::get(
            &mut tx,
            &salesdesk_domain::access::RecordScope::All,
            actor.user_id,
        )
        .await?
        .ok_or(AppError::Unauthenticated)?;
        tx.commit().await?;
        (creds.password_hash, user.mobile)
    };
    let mut errors = Vec::new();
    let policy = NewPassword::parse(new, &actor.username, mobile.as_deref());
    if let Err(code) = &policy {
        errors.push(FieldError {
            field: "newPassword".into(),
            code,
        });
    }
    if current == new {
        errors.push(FieldError {
            field: "newPassword".into(),
            code: "password.same_as_current",
        });
    }
    if !passwords::verify(current.to_owned(), stored).await {
        errors.push(FieldError {
            field: "currentPassword".into(),
            code: "password.current_wrong",
        });
    }
    if !errors.is_empty() {
        return Err(Invalid(errors).into());
    }
    let hash = passwords::hash(new.to_owned()).await?;
    let now = now_ms();
    let mut tx = app.db.begin_write().await?;
    users::set_password(&mut tx, actor.user_id, &hash, false, now).await?;
    let keep = match actor.via {
        Via::Session(id) => Some(id),
        _ => None,
    };
    let ended = sessions::end_all(&mut tx, actor.user_id, keep, "password_changed", now).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "auth.password_changed",
        "user",
        actor.user_id,
        None::<&()>,
        Some(&serde_json::json!({ "otherSessionsEnded": ended })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionInfo {
    pub id: Uuid,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub ip: String,
    pub user_agent: String,
    pub current: bool,
}

pub async fn my_sessions(app: &App, actor: &Actor) -> AppResult<Vec<SessionInfo>> {
    let now = now_ms();
    let mut tx = app.db.begin_read().await?;
    let rows = sessions::list_live(&mut tx, actor.user_id, now, app.auth.session_idle_ms).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionInfo {
            current: actor.via == Via::Session(r.id),
            expires_at: r
                .absolute_expires_at
                .min(r.last_seen_at + app.auth.session_idle_ms),
            id: r.id,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            ip: r.ip,
            user_agent: r.user_agent,
        })
        .collect())
}

/// Ends one of one's own sessions; another user's session id answers NotFound.
pub async fn end_my_session(
    app: &App,
    actor: &Actor,
    id: Uuid,
    meta: &RequestMeta,
) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    if !sessions::end(&mut tx, actor.user_id, id, "ended_by_user", now_ms()).await? {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "auth.session_ended",
        "session",
        id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_my_locale(
    app: &App,
    actor: &Actor,
    locale: &str,
    meta: &RequestMeta,
) -> AppResult<()> {
    let locale = match locale {
        "zh-CN" | "en-US" => locale,
        _ => return Err(Invalid::field("locale", "invalid_choice").into()),
    };
    let mut tx = app.db.begin_write().await?;
    users::set_locale(&mut tx, actor.user_id, locale, now_ms()).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "user.locale_changed",
        "user",
        actor.user_id,
        Some(&actor.locale),
        Some(&locale),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub struct NewToken {
    pub token: String,
    pub row: api_tokens::ApiTokenRow,
}

/// Creates an API token with at most the creator's own permissions.
pub async fn create_api_token(
    app: &App,
    actor: &Actor,
    name: &str,
    permissions: &[String],
    expires_in_days: Option<u32>,
    meta: &RequestMeta,
) -> AppResult<NewToken> {
    actor.require(Permission::ApiTokensManage)?;
    let mut check = salesdesk_domain::validation::Checker::new();
    let name = check.check(
        "name",
        salesdesk_domain::validation::required_text(name, 60),
    );
    let mut wanted = Grants::default();
    for p in permissions {
        match Permission::parse(p) {
            Ok(p) => {
                wanted.permissions.insert(p);
            }
            Err(_) => check.fail("permissions", "permission.unknown"),
        }
    }
    if wanted.permissions.is_empty() {
        check.fail("permissions", "required");
    } else if !actor.grants.covers(&wanted) {
        check.fail("permissions", "permission.not_held");
    }
    if expires_in_days.is_some_and(|d| d == 0 || d > 3650) {
        check.fail("expiresInDays", "out_of_range");
    }
    check.finish()?;
    let name = name.unwrap_or_default();
    let now = now_ms();
    let token = format!("sdk_{}", passwords::random_token());
    let perms = wanted
        .permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let id = Uuid::now_v7();
    let mut tx = app.db.begin_write().await?;
    api_tokens::insert(
        &mut tx,
        &api_tokens::NewApiToken {
            id,
            user_id: actor.user_id,
            name: &name,
            token_hash: &passwords::token_hash(&token),
            token_prefix: &token[..12],
            permissions: &perms,
            now,
            expires_at: expires_in_days.map(|d| now + d as i64 * 86_400_000),
        },
    )
    .await?;
    let row = api_tokens::list_for_user(&mut tx, actor.user_id)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "api_token.created",
        "api_token",
        id,
        None::<&()>,
        Some(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(NewToken { token, row })
}

pub async fn my_api_tokens(app: &App, actor: &Actor) -> AppResult<Vec<api_tokens::ApiTokenRow>> {
    actor.require(Permission::ApiTokensManage)?;
    let mut tx = app.db.begin_read().await?;
    let rows = api_tokens::list_for_user(&mut tx, actor.user_id).await?;
    tx.commit().await?;
    Ok(rows)
}

pub async fn revoke_api_token(
    app: &App,
    actor: &Actor,
    id: Uuid,
    meta: &RequestMeta,
) -> AppResult<()> {
    actor.require(Permission::ApiTokensManage)?;
    let mut tx = app.db.begin_write().await?;
    if !api_tokens::revoke(&mut tx, actor.user_id, id, now_ms()).await? {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "api_token.revoked",
        "api_token",
        id,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
