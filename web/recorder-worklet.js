// AudioWorklet processor: forwards the raw PCM of the first input channel to the page, in blocks
// of about 0.1 s (render quanta of 128 frames gathered), as transferred Float32Arrays.
class Recorder extends AudioWorkletProcessor {
    constructor() {
        super();
        this.block = new Float32Array(4096);
        this.fill = 0;
        this.on = true;
        this.port.onmessage = (e) => {
            if (e.data === 'stop') {
                this.flush();
                this.on = false;
                this.port.postMessage('stopped');
            }
        };
    }

    flush() {
        if (this.fill === 0) return;
        const out = this.block.slice(0, this.fill);
        this.port.postMessage(out, [out.buffer]);
        this.fill = 0;
    }

    process(inputs) {
        if (!this.on) return false;
        const channel = inputs[0] && inputs[0][0];
        if (channel) {
            for (let i = 0; i < channel.length; i++) {
                this.block[this.fill++] = channel[i];
                if (this.fill === this.block.length) this.flush();
            }
        }
        return true;
    }
}

registerProcessor('aer-recorder', Recorder);
