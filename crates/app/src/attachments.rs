//! Attachments (附件): photos and files of a customer, uploaded with a follow-up or to the
//! customer's archive. Whoever may change the customer may attach; whoever may see the
//! customer may download, and nobody else learns the file exists. The bytes live under the
//! data directory, one file per attachment named by its id, never by the user's file name.

use std::path::{Path, PathBuf};

use salesdesk_domain::Invalid;
use salesdesk_domain::access::Permission;
use salesdesk_domain::attachment::{self, FileKind, MAX_PER_CUSTOMER, MAX_PER_FOLLOWUP};
use salesdesk_domain::validation::Checker;
use salesdesk_store::Tx;
use salesdesk_store::attachments::{self as store, AttachmentRow, NewAttachment};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{By, record};
use crate::customers::{editable, in_charge, visible};
use crate::{Actor, App, AppError, AppResult, RequestMeta, now_ms};

/// Where attachment bytes are kept: `<root>/<last two hex digits of the id>/<id>`. The last
/// digits of a v7 id are random, so files spread evenly over 256 folders.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FileStore { root: root.into() }
    }

    /// The folder holding every attachment (backups copy it with the database).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the bytes of attachment `id` are kept.
    pub fn path(&self, id: Uuid) -> PathBuf {
        let name = id.simple().to_string();
        self.root.join(&name[30..]).join(name)
    }

    /// Writes the file completely and durably (a temporary name, fsync, rename, fsync of the
    /// folder) before any row points at it, so a crash leaves at worst an unreferenced file.
    async fn write(&self, id: Uuid, bytes: Vec<u8>) -> std::io::Result<()> {
        let path = self.path(id);
        tokio::task::spawn_blocking(move || write_durably(&path, &bytes))
            .await
            .map_err(std::io::Error::other)?
    }

    async fn read(&self, id: Uuid) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(id)).await
    }

    /// Removes a file whose row is gone (or never committed). A missing file is fine.
    async fn remove(&self, id: Uuid) {
        if let Err(e) = tokio::fs::remove_file(self.path(id)).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, %id, "attachment file left behind");
        }
    }
}

fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no folder"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("part");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

fn io_error(e: std::io::Error) -> AppError {
    AppError::Internal(format!("attachment storage: {e}"))
}

/// Stores a file for a customer. It belongs to the customer's archive until a follow-up of
/// the same uploader takes it (see [`link_to_followup`]).
pub async fn upload(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    file_name: &str,
    bytes: Vec<u8>,
    meta: &RequestMeta,
) -> AppResult<AttachmentRow> {
    // Who may attach is settled before anything is written to disk.
    let mut tx = app.db.begin_read().await?;
    editable(&mut tx, actor, customer_id).await?;
    tx.commit().await?;
    let mut c = Checker::new();
    let name = c.check("fileName", attachment::clean_file_name(file_name));
    let kind = name
        .as_deref()
        .and_then(|n| c.check("file", attachment::classify(n, &bytes)));
    c.finish()?;
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(AppError::Internal("checked above".into()));
    };
    let sha = hex::encode(Sha256::digest(&bytes));
    let size = bytes.len() as i64;
    let id = Uuid::now_v7();
    app.files.write(id, bytes).await.map_err(io_error)?;
    let stored = insert(app, actor, customer_id, id, &name, kind, size, &sha, meta).await;
    if stored.is_err() {
        app.files.remove(id).await;
    }
    stored
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    id: Uuid,
    name: &str,
    kind: FileKind,
    size: i64,
    sha: &str,
    meta: &RequestMeta,
) -> AppResult<AttachmentRow> {
    let mut tx = app.db.begin_write().await?;
    editable(&mut tx, actor, customer_id).await?;
    let (count, _) = store::totals_of_customer(&mut tx, customer_id).await?;
    if count >= MAX_PER_CUSTOMER {
        return Err(Invalid::field("file", "attachment.customer_full").into());
    }
    store::insert(
        &mut tx,
        &NewAttachment {
            id,
            customer_id,
            uploaded_by: actor.user_id,
            file_name: name,
            content_type: kind.content_type,
            size_bytes: size,
            sha256: sha,
            now: now_ms(),
        },
    )
    .await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "attachment.uploaded",
        "customer",
        customer_id,
        None::<&()>,
        Some(&serde_json::json!({"attachmentId": id, "fileName": name, "sizeBytes": size, "sha256": sha})),
    )
    .await?;
    let row = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// A file the demo attaches to a follow-up.
pub(crate) struct SeedFile {
    pub customer_id: Uuid,
    pub followup_id: Uuid,
    pub uploaded_by: Uuid,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub at: i64,
}

/// Stores the demo's files as uploads are stored (bytes first and durably, then the rows in
/// one transaction), each tied to its follow-up.
pub(crate) async fn seed_files(app: &App, files: Vec<SeedFile>) -> AppResult<()> {
    let mut rows = Vec::with_capacity(files.len());
    for f in files {
        // The same check as an upload's, for the same stored kinds.
        let Ok(kind) = attachment::classify(&f.file_name, &f.bytes) else {
            continue;
        };
        let id = Uuid::now_v7();
        let sha = hex::encode(Sha256::digest(&f.bytes));
        let size = f.bytes.len() as i64;
        app.files.write(id, f.bytes).await.map_err(io_error)?;
        rows.push((
            id,
            sha,
            size,
            f.customer_id,
            f.followup_id,
            f.uploaded_by,
            f.file_name,
            kind.content_type,
            f.at,
        ));
    }
    let mut tx = app.db.begin_write().await?;
    for (id, sha, size, customer_id, followup_id, by, name, kind, at) in &rows {
        store::insert(
            &mut tx,
            &NewAttachment {
                id: *id,
                customer_id: *customer_id,
                uploaded_by: *by,
                file_name: name,
                content_type: kind,
                size_bytes: *size,
                sha256: sha,
                now: *at,
            },
        )
        .await?;
        store::link_to_followup(&mut tx, &[*id], *customer_id, *by, *followup_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A customer's files, newest first, for those who may see the customer.
pub async fn of_customer(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
) -> AppResult<Vec<AttachmentRow>> {
    let mut tx = app.db.begin_read().await?;
    visible(&mut tx, actor, customer_id).await?;
    let rows = store::of_customer(&mut tx, customer_id).await?;
    tx.commit().await?;
    Ok(rows)
}

/// A file to download, with how it may be served. Outside the caller's scope it does not
/// exist.
pub async fn download(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> AppResult<(AttachmentRow, FileKind, Vec<u8>)> {
    let mut tx = app.db.begin_read().await?;
    let row = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    visible(&mut tx, actor, row.customer_id).await?;
    tx.commit().await?;
    let bytes = app.files.read(id).await.map_err(io_error)?;
    // Served as checked at upload, whatever was stored as its type.
    let kind = attachment::classify(&row.file_name, &bytes).unwrap_or(FileKind {
        content_type: "application/octet-stream",
        inline: false,
    });
    Ok((row, kind, bytes))
}

/// Deletes a file: its uploader (while they may still change the customer) or someone in
/// charge of the customer.
pub async fn delete(app: &App, actor: &Actor, id: Uuid, meta: &RequestMeta) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    let row = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if row.uploaded_by == actor.user_id {
        editable(&mut tx, actor, row.customer_id).await?;
    } else {
        in_charge(&mut tx, actor, row.customer_id, Permission::CustomersEdit).await?;
    }
    store::delete(&mut tx, id).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "attachment.deleted",
        "customer",
        row.customer_id,
        Some(&row),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    app.files.remove(id).await;
    Ok(())
}

/// What `salesdesk check` reports of the attachment folder: records whose file is missing,
/// and files no record names (left by a crash between writing a file and its row, or by a
/// restore of an older database).
pub async fn integrity_problems(app: &App) -> AppResult<Vec<String>> {
    let mut tx = app.db.begin_read().await?;
    let ids = store::all_ids(&mut tx).await?;
    tx.commit().await?;
    let root = app.files.root().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut on_disk = std::collections::HashSet::new();
        let mut stray = Vec::new();
        for dir in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(dir.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = file.file_name().to_string_lossy().into_owned();
                match Uuid::try_parse(&name) {
                    Ok(id) => {
                        on_disk.insert(id);
                    }
                    Err(_) => stray.push(file.path()),
                }
            }
        }
        let mut problems: Vec<String> = ids
            .iter()
            .filter(|id| !on_disk.contains(id))
            .map(|id| format!("attachment {id} has no file"))
            .collect();
        let known: std::collections::HashSet<Uuid> = ids.into_iter().collect();
        let mut orphans: Vec<String> = on_disk
            .iter()
            .filter(|id| !known.contains(id))
            .map(|id| format!("attachment file {id} has no record"))
            .collect();
        orphans.sort();
        problems.extend(orphans);
        problems.extend(
            stray
                .iter()
                .map(|p| format!("unexpected file in the attachment folder: {}", p.display())),
        );
        problems
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// A file this young may be an upload whose record is about to commit: never removed.
pub const ORPHAN_MIN_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Deletes the files in the attachment folder that no record names and that are older than
/// [`ORPHAN_MIN_AGE`] (`salesdesk check --remove-orphan-files`); returns what it removed.
/// Records are read first, so a file whose record commits meanwhile is young and stays.
pub async fn remove_orphan_files(app: &App) -> AppResult<Vec<String>> {
    let mut tx = app.db.begin_read().await?;
    let known: std::collections::HashSet<Uuid> =
        store::all_ids(&mut tx).await?.into_iter().collect();
    tx.commit().await?;
    let root = app.files.root().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut removed = Vec::new();
        for dir in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(dir.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = file.file_name().to_string_lossy().into_owned();
                let Ok(id) = Uuid::try_parse(&name) else {
                    continue;
                };
                let old_enough = file
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age >= ORPHAN_MIN_AGE);
                if !known.contains(&id) && old_enough && std::fs::remove_file(file.path()).is_ok() {
                    removed.push(format!("removed attachment file {id} (no record)"));
                }
            }
        }
        removed.sort();
        removed
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// Gives a new follow-up the files its author uploaded for it. Each must be the author's own,
/// of this customer and not yet with another follow-up.
pub(crate) async fn link_to_followup(
    tx: &mut Tx,
    actor: &Actor,
    customer_id: Uuid,
    followup_id: Uuid,
    ids: &[Uuid],
) -> AppResult<()> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    if ids.len() > MAX_PER_FOLLOWUP {
        return Err(Invalid::field("attachmentIds", "too_many").into());
    }
    let linked = store::link_to_followup(tx, &ids, customer_id, actor.user_id, followup_id).await?;
    if linked != ids.len() as u64 {
        return Err(Invalid::field("attachmentIds", "attachment.not_found").into());
    }
    Ok(())
}

/// The files of some follow-ups, for their list.
pub(crate) async fn of_followups(tx: &mut Tx, ids: &[Uuid]) -> AppResult<Vec<AttachmentRow>> {
    Ok(store::of_followups(tx, ids).await?)
}
