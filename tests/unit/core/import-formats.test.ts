import { detectFormat, parseExportTime } from '../../../lambda/core/import-formats';

describe('import formats', () => {
  it('recognizes each service by its header, most specific first, any case', () => {
    const id = (header: string) => detectFormat(header.split(','))?.id;
    expect(id('Email Address,First Name,Last Name,OPTIN_TIME')).toBe('mailchimp');
    expect(id('email,active_subscription,expiry,plan,email_disabled,created_at')).toBe('substack');
    expect(id('email,notes,creation_date,subscriber_type')).toBe('buttondown');
    expect(id('first_name,email,status,created_at')).toBe('kit');
    expect(id('id,email,name,note,subscribed_to_emails,created_at')).toBe('ghost');
    expect(id('uuid,email,name,attributes,status,created_at,updated_at')).toBe('listmonk');
    expect(id('EMAIL,Name,Status,created_at')).toBe('pinboard-digest');
    expect(id('Email Address,First Name')).toBeUndefined(); // Mailchimp-like without its markers: no guess
    expect(id('mail,name')).toBeUndefined();
  });

  it('reads the times exports write, as UTC ISO, and refuses ambiguous ones', () => {
    expect(parseExportTime('2019-03-14 18:23:45')).toBe('2019-03-14T18:23:45.000Z');
    expect(parseExportTime('2024-03-03 10:00:00.5 +0530 +0530')).toBe('2024-03-03T04:30:00.500Z');
    expect(parseExportTime('2024-03-05 11:00:00 +0000 UTC')).toBe('2024-03-05T11:00:00.000Z');
    expect(parseExportTime('2021-02-03T04:05:06.789Z')).toBe('2021-02-03T04:05:06.789Z');
    expect(parseExportTime('2021-02-03T04:05:06+02:00')).toBe('2021-02-03T02:05:06.000Z');
    expect(parseExportTime('2021-02-03')).toBe('2021-02-03T00:00:00.000Z');
    expect(parseExportTime('  ')).toBeUndefined();
    expect(parseExportTime('03/14/2019')).toBeNull();
    expect(parseExportTime('2019-13-45 00:00:00')).toBeNull();
  });
});
