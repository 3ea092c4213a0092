/**
 * models/list|pull|verify|remove|register|select. Downloads are network and disk I/O, so they run
 * here on the protocol thread (not in the engine worker, which stays free for inference); the
 * request's cancellation token aborts a pull and leaves its partial files resumable.
 */
import {
  HostError,
  HostErrorCodes,
  ModelsListRequest,
  ModelsProgressNotification,
  ModelsPullRequest,
  ModelsRegisterRequest,
  ModelsRemoveRequest,
  ModelsSelectRequest,
  ModelsVerifyRequest,
} from '../../protocol';
import type { HandlerModule, HostServices } from '../host-services';
import { validatorFor } from '../../protocol/validate';
import { onRequest } from '../requests';
import { ModelStore, defaultStoreRoot } from '../../models/store';
import { parseModelRef } from '../../models/registry';
import { pullModel } from '../../models/downloader';
import { listModels, verifyModel, describeActiveModel } from '../../models/catalog';
import { convertAfterPull } from '../../models/conversion';
import { ModelError } from '../../models/errors';
import { recommendedInstalledModel } from '../../models/default-model';

function storeFor(services: HostServices, store: string | undefined): ModelStore {
  return new ModelStore(store || services.settings.modelsDir || defaultStoreRoot());
}

function needString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new HostError(HostErrorCodes.InvalidParams, `${name} must be a non-empty string`, { field: name });
  return value;
}

export const registerModelHandlers: HandlerModule = (services) => {
  const { connection } = services;

  onRequest(
    connection,
    ModelsListRequest,
    (params) => listModels(storeFor(services, params?.store), services.devices, undefined, { device: services.device, dtype: params?.dtype }),
    validatorFor('models/list'),
  );

  onRequest(
    connection,
    ModelsPullRequest,
    async (params, token) => {
      const ref = parseModelRefOrInvalid(needString(params?.id, 'id'));
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      // The extension passes VS Code's http.proxy; it wins over the host's environment.
      const env = params.proxy ? { ...process.env, HTTPS_PROXY: params.proxy, HTTP_PROXY: params.proxy } : process.env;
      services.log('info', `models/pull ${ref.id} from ${ref.repo}@${ref.revision}`);
      const result = await pullModel({
        ref,
        store: storeFor(services, params.store),
        device: services.device,
        devices: services.devices,
        dtype: params.dtype,
        env,
        signal: controller.signal,
        log: (m) => services.log('info', m),
        onProgress: (p) => void connection.sendNotification(ModelsProgressNotification, { ...p, ref: params.id }),
        convert: convertAfterPull,
      });
      return { id: result.id, dir: result.dir, files: result.files, bytes: result.bytes };
    },
    validatorFor('models/pull'),
  );

  onRequest(
    connection,
    ModelsVerifyRequest,
    (params) => verifyModel(storeFor(services, params?.store), needString(params?.id, 'id')),
    validatorFor('models/verify'),
  );

  onRequest(
    connection,
    ModelsRemoveRequest,
    async (params) => {
      const id = needString(params?.id, 'id');
      const removed = await storeFor(services, params.store).remove(id);
      // The active model is gone: the next task must say so instead of loading a missing folder.
      if (removed && services.settings.model === id) services.settings = { ...services.settings, model: undefined };
      return { removed };
    },
    validatorFor('models/remove'),
  );

  onRequest(
    connection,
    ModelsRegisterRequest,
    async (params) => {
      const store = storeFor(services, params?.store);
      const m = await store.register(needString(params?.dir, 'dir'), params.id);
      return { id: m.id, dir: store.runtimeDir(m), family: m.family, verifiedFiles: 0, local: true };
    },
    validatorFor('models/register'),
  );

  onRequest(
    connection,
    ModelsSelectRequest,
    (params) => {
      if (typeof params?.id === 'string' && params.id.trim() === '') return useRecommendedModel(services);
      const id = needString(params?.id, 'id');
      const model = describeActiveModel(storeFor(services, undefined), id, services.device);
      // The task runner keys its loaded engine by model folder, so the next task loads this one
      // (and disposes the previous engine) without a host restart.
      services.settings = { ...services.settings, model: id };
      services.log('info', `active model: ${id} (${model.dir})`);
      return { model };
    },
    validatorFor('models/select'),
  );
};

/**
 * `models/select {id: ''}` (the user emptied `visualCoder.model`): clears the choice, so tasks use
 * the recommended installed model, and reports that one. With nothing installed the choice is
 * cleared all the same and the answer is NoModel, as a task would get.
 */
function useRecommendedModel(services: HostServices) {
  services.settings = { ...services.settings, model: undefined };
  const store = storeFor(services, undefined);
  const id = recommendedInstalledModel(store.root, services.device);
  if (!id) {
    throw new ModelError('not-installed', `No model is installed in ${store.root}; download one with "Visual Coder: Download Model"`);
  }
  const model = describeActiveModel(store, id, services.device);
  services.log('info', `no model set: tasks use the recommended installed model ${id} (${model.dir})`);
  return { model };
}

function parseModelRefOrInvalid(id: string) {
  try {
    return parseModelRef(id);
  } catch (err) {
    throw new ModelError('bad-input', (err as Error).message);
  }
}
