-- Units with their labels, one row per (unit, model): the table researchers query most.
CREATE VIEW labelled_units AS
SELECT u.post_id, u.seq, u.text, u.voice AS unit_voice, l.model, l.act, l.stance,
       l.abusive, l.voice, l.frame, l.discloser, l.centres, l.scores,
       p.author, p.created_at, p.parent_id, p.thread_root, p.platform
FROM units u
JOIN labels l ON l.hash = u.hash
JOIN posts p ON p.id = u.post_id;
