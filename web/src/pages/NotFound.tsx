import { Button, Result } from 'antd';
import { Link } from 'react-router';
import { t } from '../i18n';

export default function NotFound() {
  return (
    <Result
      status="404"
      title={t('notFound.title')}
      extra={
        <Link to="/">
          <Button type="primary">{t('notFound.back')}</Button>
        </Link>
      }
    />
  );
}
