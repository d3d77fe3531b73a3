-- How a channel code reaches people: a 「联系我」 QR code (qr) or a 获客助手
-- link (link), whose URL carries the state as customer_channel.
ALTER TABLE channel_codes ADD COLUMN medium TEXT NOT NULL DEFAULT 'qr';
