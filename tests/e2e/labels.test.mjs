// web/labels.js in node (a pure module): the true label, actor and channel of a file from its
// RAVDESS name or its folder, and the order labels are listed in.
import test from 'node:test';
import assert from 'node:assert/strict';
import { label_of, parse_ravdess, sort_labels, RAVDESS_EMOTIONS } from '../../web/labels.js';

test('RAVDESS names: 8 emotions, the vocal channel, the actor', () => {
    assert.deepEqual(label_of('03-01-07-02-01-02-05.wav'), { label: 'disgust', actor: 5, channel: 'speech' });
    assert.deepEqual(label_of('03-01-08-01-01-01-20.wav'), { label: 'surprised', actor: 20, channel: 'speech' });
    assert.deepEqual(label_of('03-02-05-01-02-01-12.wav'), { label: 'angry', actor: 12, channel: 'song' });
    // The name wins over any folder.
    assert.deepEqual(label_of('03-02-01-01-01-01-01.wav', 'data/happy/03-02-01-01-01-01-01.wav'),
        { label: 'neutral', actor: 1, channel: 'song' });
    assert.deepEqual(RAVDESS_EMOTIONS.map((e, i) => label_of(`03-01-0${i + 1}-01-01-01-01.wav`).label), RAVDESS_EMOTIONS);
    // Not RAVDESS: a field out of range, a channel 03, too few fields.
    assert.equal(parse_ravdess('03-01-09-01-01-01-01.wav'), null);
    assert.equal(parse_ravdess('03-03-01-01-01-01-01.wav'), null);
    assert.equal(parse_ravdess('03-01-01-01-01-01.wav'), null);
});

test('folders: a sub-folder of a picked folder is a label, any name; the picked folder only if an emotion', () => {
    const none = { label: '', actor: -1, channel: '' };
    assert.deepEqual(label_of('a.wav', 'mine/laughing/a.wav'), { ...none, label: 'laughing' });
    assert.deepEqual(label_of('a.wav', 'mine/Sighing Loudly/a.wav'), { ...none, label: 'Sighing Loudly' });
    assert.deepEqual(label_of('a.wav', 'mine/HAPPY/a.wav'), { ...none, label: 'happy' }); // an emotion's own spelling
    assert.deepEqual(label_of('a.wav', 'mine/x/y/sad/a.wav'), { ...none, label: 'sad' });  // the nearest folder
    assert.deepEqual(label_of('a.wav', 'happy/a.wav'), { ...none, label: 'happy' });
    assert.deepEqual(label_of('a.wav', 'mine/a.wav'), none);
    assert.deepEqual(label_of('a.wav', 'data/Actor_03/a.wav'), none);
    assert.deepEqual(label_of('a.wav', ''), none);
    assert.equal(label_of('a.wav', `mine/${'x'.repeat(200)}/a.wav`).label.length, 64);
});

test('label order: RAVDESS emotions in their order, then the others sorted', () => {
    assert.deepEqual(sort_labels(['zebra', 'surprised', 'angry', 'Laughing', 'neutral', 'angry']),
        ['neutral', 'angry', 'surprised', 'Laughing', 'zebra']);
});
