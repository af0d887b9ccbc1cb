// True labels of input files, from their names and folders (the rules of core/train/dataset.cpp).
// These are the files' labels only: which labels a model knows comes from the model file.
//
// - RAVDESS names `MM-VV-EE-II-SS-RR-AA.wav` (modality, vocal channel 01 speech / 02 song, emotion,
//   intensity, statement, repetition, actor): one of the 8 RAVDESS emotions, the vocal channel and
//   the actor. Song has no 07 disgust or 08 surprised.
// - Any other file inside a sub-folder of a picked or dropped folder takes that sub-folder's name
//   as its label (a user's own labels: `mine/happy/take1.wav`, `mine/laughing/a.wav`). A file
//   directly inside the picked folder takes the folder's name only when it is a RAVDESS emotion
//   (`happy/take1.wav`). Folders named like RAVDESS's `Actor_01` are not labels.

/// The 8 RAVDESS emotions in their canonical order (the order of an 8-class RAVDESS model).
export const RAVDESS_EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];

/// Labels longer than this are cut (a folder name is not a paragraph).
const MAX_LABEL = 64;

/// Fields of a RAVDESS file name ({emotion: 1..8, channel: 'speech' | 'song', actor}), or null
/// when `file_name` is not one.
export function parse_ravdess(file_name) {
    const stem = file_name.replace(/\.[^.]*$/, '');
    const m = /^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$/.exec(stem);
    if (!m) return null;
    const f = m.slice(1).map(Number);
    if (f[0] < 1 || f[0] > 3 || f[1] < 1 || f[1] > 2 || f[2] < 1 || f[2] > 8 || f[6] < 1 || f[6] > 99) return null;
    return { emotion: f[2], channel: f[1] === 1 ? 'speech' : 'song', actor: f[6] };
}

/// A folder's name as a label: a RAVDESS emotion in any case becomes its canonical spelling.
function folder_label(name) {
    const lower = name.trim().toLowerCase();
    if (RAVDESS_EMOTIONS.includes(lower)) return lower;
    return name.trim().slice(0, MAX_LABEL);
}

/// The true label of a file: {label: string ('' when unknown), actor: number (-1 unknown),
/// channel: 'speech' | 'song' | '' (unknown)}. rel_path: the path inside a picked or dropped
/// folder, its first part the folder itself ('' for files picked one by one).
export function label_of(file_name, rel_path = '') {
    const r = parse_ravdess(file_name);
    if (r) return { label: RAVDESS_EMOTIONS[r.emotion - 1], actor: r.actor, channel: r.channel };
    const folders = rel_path.split('/').filter(Boolean).slice(0, -1);
    const parent = folders.length ? folders[folders.length - 1] : '';
    const unknown = { label: '', actor: -1, channel: '' };
    if (!parent || /^actor_\d+$/i.test(parent)) return unknown;
    const label = folder_label(parent);
    if (folders.length >= 2) return { ...unknown, label };             // a sub-folder: any name
    return RAVDESS_EMOTIONS.includes(label) ? { ...unknown, label } : unknown; // the picked folder
}

/// `labels` in a stable order: the RAVDESS emotions in their order first, then the others sorted.
export function sort_labels(labels) {
    const set = [...new Set(labels)];
    const ravdess = RAVDESS_EMOTIONS.filter((l) => set.includes(l));
    const others = set.filter((l) => !RAVDESS_EMOTIONS.includes(l)).sort();
    return [...ravdess, ...others];
}
