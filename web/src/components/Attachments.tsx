// Photos and files of a customer (附件): thumbnails for pictures, downloads for the rest, and
// an uploader for the follow-up form and the customer's archive.
import { useRef, useState } from 'react';
import { App, Button, Image, Popconfirm, Space, Typography, Upload } from 'antd';
import { DeleteOutlined, PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { api, unwrap, type Schemas } from '../api/client';
import { currentLocale, t } from '../i18n';
import { reportError } from '../lib/errors';
import { saveResponse } from '../lib/download';
import { ATTACHMENT_ACCEPT, formatBytes, isPicture, postFile } from '../lib/upload';

export type Attachment = Schemas['AttachmentView'];

const MAX_BYTES = 20 * 1024 * 1024;
const fileUrl = (id: string) => `/api/v1/attachments/${id}`;

export async function deleteAttachment(id: string) {
  await unwrap(api.DELETE('/api/v1/attachments/{id}', { params: { path: { id } } }));
}

async function download(a: Attachment) {
  try {
    await saveResponse(await fetch(fileUrl(a.id), { headers: { 'accept-language': currentLocale() } }), a.fileName);
  } catch (e) {
    reportError(e);
  }
}

function DeleteButton({ a, onDeleted }: { a: Attachment; onDeleted: (id: string) => void }) {
  return (
    <Popconfirm
      title={t('attachments.deleteConfirm', { name: a.fileName })}
      onConfirm={async () => {
        try {
          await deleteAttachment(a.id);
          onDeleted(a.id);
        } catch (e) {
          reportError(e);
        }
      }}
    >
      <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} data-testid="attachment-delete" />
    </Popconfirm>
  );
}

/** Pictures as a grid of thumbnails (click to enlarge), other files as download links. */
export function AttachmentList({ items, canDelete, onDeleted }: { items: Attachment[]; canDelete?: (a: Attachment) => boolean; onDeleted?: (id: string) => void }) {
  const pictures = items.filter((a) => isPicture(a.contentType));
  const files = items.filter((a) => !isPicture(a.contentType));
  const deletable = (a: Attachment) => !!onDeleted && !!canDelete?.(a);
  if (items.length === 0) return null;
  return (
    <div data-testid="attachments">
      {pictures.length > 0 && (
        <Image.PreviewGroup>
          <Space wrap size={8} style={{ marginTop: 4 }}>
            {pictures.map((a) => (
              <div key={a.id} style={{ textAlign: 'center' }} data-testid="attachment-picture">
                <Image src={fileUrl(a.id)} alt={a.fileName} width={72} height={72} style={{ objectFit: 'cover', borderRadius: 4 }} />
                {deletable(a) && onDeleted && <DeleteButton a={a} onDeleted={onDeleted} />}
              </div>
            ))}
          </Space>
        </Image.PreviewGroup>
      )}
      {files.map((a) => (
        <div key={a.id}>
          <Space size={4} wrap>
            <PaperClipOutlined />
            <a onClick={() => download(a)} data-testid="attachment-file">
              {a.fileName}
            </a>
            <Typography.Text type="secondary">{formatBytes(a.sizeBytes)}</Typography.Text>
            {deletable(a) && onDeleted && <DeleteButton a={a} onDeleted={onDeleted} />}
          </Space>
        </div>
      ))}
    </div>
  );
}

/**
 * Uploads files to a customer as they are picked; the value is the files uploaded so far
 * (a follow-up form sends their ids). Removing one deletes it on the server.
 */
export function AttachmentUploader({ customerId, value = [], onChange, max }: { customerId: string; value?: Attachment[]; onChange?: (v: Attachment[]) => void; max?: number }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(0);
  // Several files picked at once finish in any order: each adds to the latest list.
  const latest = useRef(value);
  latest.current = value;
  const set = (v: Attachment[]) => {
    latest.current = v;
    onChange?.(v);
  };

  const upload = async (file: File) => {
    if (file.size > MAX_BYTES) {
      message.error(t('attachments.tooLarge', { name: file.name }));
      return;
    }
    if (max !== undefined && latest.current.length + busy >= max) {
      message.error(t('attachments.tooMany', { n: max }));
      return;
    }
    setBusy((n) => n + 1);
    try {
      const a = await postFile<Attachment>(`/api/v1/customers/${customerId}/attachments?fileName=${encodeURIComponent(file.name)}`, file);
      set([...latest.current, a]);
    } catch (e) {
      reportError(e);
    } finally {
      setBusy((n) => n - 1);
    }
  };

  return (
    <div>
      <Upload
        multiple
        accept={ATTACHMENT_ACCEPT}
        showUploadList={false}
        beforeUpload={(file) => {
          void upload(file);
          return false;
        }}
      >
        <Button icon={<UploadOutlined />} loading={busy > 0} data-testid="attachment-upload">
          {t('attachments.add')}
        </Button>
      </Upload>
      <Typography.Paragraph type="secondary" style={{ margin: '4px 0' }}>
        {t('attachments.hint')}
      </Typography.Paragraph>
      <AttachmentList items={value} canDelete={() => true} onDeleted={(id) => set(latest.current.filter((a) => a.id !== id))} />
    </div>
  );
}
