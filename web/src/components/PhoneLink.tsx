// A phone number a rep can tap to call: a tel: link, never cut short.
import { PhoneOutlined } from '@ant-design/icons';

export function PhoneLink({ number }: { number: string }) {
  return (
    <a href={`tel:${number.replace(/[^\d+]/g, '')}`} style={{ whiteSpace: 'nowrap' }} data-testid="phone-link">
      <PhoneOutlined /> {number}
    </a>
  );
}
