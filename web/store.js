// Saved models in IndexedDB (database "aer", object store "models", key: name).
// A record: {name, json: string (NAME.json), bin: ArrayBuffer (NAME.bin), created: ISO time,
// source: 'trained' | 'imported', summary: {architecture, parameters, test_accuracy, ...}}.
// Every write is one transaction, so a failure leaves the store as it was.

const DB_NAME = 'aer';
const STORE = 'models';
let db_promise = null;

/// The problem of a failed open or write in words a user can act on (full storage, no IndexedDB).
function storage_error(err, opening) {
    const name = err && err.name;
    if (name === 'QuotaExceededError') {
        return new Error('the browser\'s storage for this site is full (QuotaExceededError): delete saved models ' +
            'or free disk space, or download the model instead');
    }
    const detail = (err && err.message) || String(err);
    if (opening) return new Error(`IndexedDB is unavailable in this browser window (a private window?): ${detail}`);
    return new Error(`the model store (IndexedDB) failed: ${detail}`);
}

function open_db() {
    if (!db_promise) {
        db_promise = new Promise((resolve, reject) => {
            if (typeof indexedDB === 'undefined' || !indexedDB) throw new Error('this browser offers no IndexedDB');
            const req = indexedDB.open(DB_NAME, 1);
            req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'name' });
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => reject(req.error);
            req.onblocked = () => reject(new Error('the model store is blocked by another tab'));
        }).catch((err) => { throw storage_error(err, true); });
        db_promise.catch(() => { db_promise = null; });
    }
    return db_promise;
}

/// Runs `body(store)` in one transaction; resolves with body's result when the transaction commits.
/// A failure (storage full, a write refused) rejects with a readable Error and leaves the store as
/// it was: the transaction is aborted as a whole.
async function transaction(mode, body) {
    const db = await open_db();
    return new Promise((resolve, reject) => {
        const fail = (err) => reject(storage_error(err, false));
        let tx;
        try {
            tx = db.transaction(STORE, mode);
        } catch (err) {
            fail(err);
            return;
        }
        let result;
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => fail(tx.error);
        tx.onabort = () => fail(tx.error || new Error('transaction aborted'));
        Promise.resolve(body(tx.objectStore(STORE))).then((r) => { result = r; }, (e) => {
            try { tx.abort(); } catch { /* already finished */ }
            fail(e);
        });
    });
}

const request = (req) => new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
});

/// All saved models, oldest first.
export async function list_models() {
    const all = await transaction('readonly', (s) => request(s.getAll()));
    return all.sort((a, b) => a.created.localeCompare(b.created));
}

export async function get_model(name) {
    return transaction('readonly', (s) => request(s.get(name)));
}

/// Saves `record` under its name, or under "name (2)", "name (3)"... if taken (the check and the
/// write are one transaction). Resolves to the name used.
export async function save_model(record) {
    return transaction('readwrite', (s) => new Promise((resolve, reject) => {
        const keys = s.getAllKeys();
        keys.onerror = () => reject(keys.error);
        keys.onsuccess = () => {
            const taken = new Set(keys.result);
            let name = record.name;
            for (let k = 2; taken.has(name); k++) name = `${record.name} (${k})`;
            const add = s.add({ ...record, name });
            add.onsuccess = () => resolve(name);
            add.onerror = () => reject(add.error);
        };
    }));
}

/// Writes `record` under its own name, replacing what was there, in one transaction (training
/// checkpoints: the previous checkpoint stays intact if the write fails).
export async function put_model(record) {
    return transaction('readwrite', (s) => request(s.put(record)));
}

export async function delete_model(name) {
    return transaction('readwrite', (s) => request(s.delete(name)));
}
