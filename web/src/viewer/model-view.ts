import {
  Box3, Color, DirectionalLight, HemisphereLight, type Material, type Mesh, MeshStandardMaterial, type Object3D,
  PerspectiveCamera, Scene as ThreeScene, type Texture, Vector3, WebGLRenderer,
} from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { MeshoptDecoder } from "three/examples/jsm/libs/meshopt_decoder.module.js";
import { CSS2DObject, CSS2DRenderer } from "three/examples/jsm/renderers/CSS2DRenderer.js";
import type { Scene } from "@cad-kiosk/schema/kiosk";

/**
 * One long-lived three.js view of a converted plan. The renderer is made once (kiosks run for weeks;
 * a WebGL context per model would leak); a model is parsed apart (`prepare`), then swapped in (`show`),
 * and the old one's geometries, materials and textures are disposed. Rooms (nodes whose glTF extras say
 * `category: "room"`) get name labels.
 */
export interface ModelViewOptions {
  /** Turn slowly around the target when the scene's mode is orbit (radians per second). */
  orbitSpeed?: number;
  background?: string;
  /** Called after every rendered frame (the kiosk's watchdog counts them). */
  onFrame?: () => void;
}
export const MODEL_VIEW_DEFAULTS: Required<Omit<ModelViewOptions, "onFrame">> = { orbitSpeed: 0.12, background: "#10151c" };

/** A parsed model, not yet on screen. */
export interface PreparedModel {
  id: string;
  root: Object3D;
  rooms: string[];
}

const HIGHLIGHT = new Color("#ffb000");

export class ModelView {
  readonly renderer: WebGLRenderer;
  readonly camera = new PerspectiveCamera(45, 1, 0.05, 5000);
  #three = new ThreeScene();
  #labels = new CSS2DRenderer();
  #loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder);
  #options: Required<Omit<ModelViewOptions, "onFrame">> & Pick<ModelViewOptions, "onFrame">;
  #current: PreparedModel | null = null;
  #labelObjects: CSS2DObject[] = [];
  #highlighted = new Map<Mesh, Material | Material[]>();
  #scene: Scene = { camera: null, floor: null, highlightRoom: null, mode: "orbit" };
  #target = new Vector3();
  #radius = 10;
  #angle = Math.PI / 4;
  #last = performance.now();
  #frame = 0;
  #resize: ResizeObserver;

  constructor(readonly container: HTMLElement, options: ModelViewOptions = {}) {
    this.#options = { ...MODEL_VIEW_DEFAULTS, ...options };
    this.renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.#three.background = new Color(this.#options.background);
    this.#three.add(new HemisphereLight("#ffffff", "#445566", 2.2));
    const sun = new DirectionalLight("#ffffff", 2.0);
    sun.position.set(30, 60, 20);
    this.#three.add(sun);
    container.append(this.renderer.domElement);
    Object.assign(this.#labels.domElement.style, { position: "absolute", inset: "0", pointerEvents: "none" });
    container.append(this.#labels.domElement);
    this.#resize = new ResizeObserver(() => this.#fit());
    this.#resize.observe(container);
    this.#fit();
    this.renderer.setAnimationLoop(() => this.#tick());
  }

  /** Time between the last two frames (ms). */
  frameMs = 0;
  #held = false;

  get model(): PreparedModel | null {
    return this.#current;
  }

  /** Parse a GLB (meshopt-compressed or not) without showing it. */
  async prepare(id: string, glb: ArrayBuffer): Promise<PreparedModel> {
    const gltf = await this.#loader.parseAsync(glb, "");
    const rooms: string[] = [];
    gltf.scene.traverse((o) => {
      const name = roomName(o);
      if (name) rooms.push(name);
    });
    return { id, root: gltf.scene, rooms };
  }

  /** Swap the shown model for `next`; the old one is disposed. */
  show(next: PreparedModel): void {
    if (this.#current === next) return;
    const old = this.#current;
    this.#current = next;
    this.#three.add(next.root);
    if (old) {
      this.#three.remove(old.root);
      disposeModel(old);
    }
    this.#clearLabels();
    this.#highlighted.clear();
    this.#addLabels(next.root);
    this.#frameModel();
    this.applyScene(this.#scene);
  }

  /** Forget the shown model (disposed). */
  clear(): void {
    if (!this.#current) return;
    this.#three.remove(this.#current.root);
    disposeModel(this.#current);
    this.#clearLabels();
    this.#current = null;
  }

  /** Follow the group's scene: camera pose, highlighted room, floor filter, mode. */
  applyScene(scene: Scene): void {
    const refloored = scene.floor !== this.#scene.floor;
    this.#scene = scene;
    if (scene.camera) {
      this.camera.position.fromArray(scene.camera.position);
      this.#target.fromArray(scene.camera.target);
      this.camera.lookAt(this.#target);
    }
    this.#highlight(scene.highlightRoom);
    const floor = scene.floor;
    this.#current?.root.traverse((o) => {
      if (typeof o.userData?.floor === "number") o.visible = floor === null || o.userData.floor === floor;
    });
    for (const label of this.#labelObjects) label.visible = shownInTree(label.userData.room as Object3D | undefined);
    if (refloored && !scene.camera) this.#frameModel();
  }

  /** Numbers for tests and the watchdog. */
  stats() {
    const { geometries, textures } = this.renderer.info.memory;
    let floors = 0;
    let hidden = 0;
    this.#current?.root.traverse((o) => {
      if (typeof o.userData?.floor !== "number") return;
      floors = Math.max(floors, o.userData.floor + 1);
      if (!o.visible) hidden++;
    });
    const { highlightRoom, floor, mode } = this.#scene;
    return { frames: this.#frame, geometries, textures, labels: this.#labelObjects.filter((l) => l.visible).length, modelId: this.#current?.id ?? null,
      scene: { highlightRoom, floor, mode }, floors, hiddenByFloor: hidden, highlighted: this.#highlighted.size };
  }

  dispose(): void {
    this.renderer.setAnimationLoop(null);
    this.#resize.disconnect();
    this.clear();
    this.renderer.dispose();
  }

  /**
   * Stop drawing until `release`: a flip due in a moment then runs on an idle main thread, not after
   * a long frame (a software-rendered frame can take 100 ms). Held for a frame or two at most.
   */
  hold(): void {
    if (this.#held) return;
    this.#held = true;
    this.renderer.setAnimationLoop(null);
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#last = performance.now();
    this.renderer.setAnimationLoop(() => this.#tick());
  }

  #tick(): void {
    const now = performance.now();
    this.frameMs = now - this.#last;
    const dt = Math.min(0.1, (now - this.#last) / 1000);
    this.#last = now;
    if (this.#scene.mode === "orbit" && !this.#scene.camera && this.#current) {
      this.#angle += dt * this.#options.orbitSpeed;
      this.#placeCamera();
    }
    this.renderer.render(this.#three, this.camera);
    this.#labels.render(this.#three, this.camera);
    this.#frame++;
    this.#options.onFrame?.();
  }

  #fit(): void {
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h);
    this.#labels.setSize(w, h);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
  }

  #frameModel(): void {
    if (!this.#current) return;
    // What is shown only: with a floor filter, the camera frames that floor.
    const box = new Box3();
    this.#current.root.updateMatrixWorld(true);
    this.#current.root.traverseVisible((o) => {
      if ((o as Mesh).isMesh) box.expandByObject(o);
    });
    if (box.isEmpty()) box.setFromObject(this.#current.root);
    if (box.isEmpty()) return;
    box.getCenter(this.#target);
    const size = box.getSize(new Vector3()).length();
    this.#radius = Math.max(1, size * 0.85);
    this.camera.near = this.#radius / 500;
    this.camera.far = this.#radius * 20;
    this.camera.updateProjectionMatrix();
    this.#placeCamera();
  }

  #placeCamera(): void {
    const r = this.#radius;
    this.camera.position.set(this.#target.x + r * Math.cos(this.#angle), this.#target.y + r * 0.75, this.#target.z + r * Math.sin(this.#angle));
    this.camera.lookAt(this.#target);
  }

  #addLabels(root: Object3D): void {
    root.updateMatrixWorld(true);
    root.traverse((o) => {
      const name = roomName(o);
      if (!name) return;
      const box = new Box3().setFromObject(o);
      if (box.isEmpty()) return;
      const el = document.createElement("div");
      el.className = "room-label";
      el.textContent = name;
      Object.assign(el.style, {
        font: "600 13px system-ui, sans-serif", color: "#fff", background: "rgba(0,0,0,.55)", padding: "2px 6px",
        borderRadius: "4px", whiteSpace: "nowrap",
      });
      const label = new CSS2DObject(el);
      label.position.copy(box.getCenter(new Vector3()));
      label.position.y = box.max.y + 0.3;
      label.userData.room = o; // hidden with its room (a floor filter hides the room's floor node)
      this.#three.add(label);
      this.#labelObjects.push(label);
    });
  }

  #clearLabels(): void {
    for (const label of this.#labelObjects) {
      this.#three.remove(label);
      label.element.remove();
    }
    this.#labelObjects = [];
  }

  #highlight(room: string | null): void {
    for (const [mesh, material] of this.#highlighted) {
      (Array.isArray(mesh.material) ? mesh.material : [mesh.material]).forEach((m) => m.dispose());
      mesh.material = material;
    }
    this.#highlighted.clear();
    if (!room || !this.#current) return;
    this.#current.root.traverse((o) => {
      if (roomName(o) !== room) return;
      o.traverse((m) => {
        const mesh = m as Mesh;
        if (!mesh.isMesh) return;
        this.#highlighted.set(mesh, mesh.material);
        const lit = new MeshStandardMaterial({ color: HIGHLIGHT, emissive: HIGHLIGHT, emissiveIntensity: 0.4 });
        mesh.material = lit;
      });
    });
  }
}

/**
 * The room a node stands for: the converter writes one node per room with extras {category: "room",
 * name, area}; group nodes ("rooms") carry the category but no area. (GLTFLoader copies extras to
 * userData, where `name` is the room's name, not the node's.)
 */
export function roomName(o: Object3D): string | null {
  const u = o.userData;
  return u?.category === "room" && typeof u.area === "number" && typeof u.name === "string" ? u.name : null;
}

const TEXTURE_KEYS = ["map", "normalMap", "roughnessMap", "metalnessMap", "aoMap", "emissiveMap", "alphaMap"] as const;

/** Free a model's GPU resources: every geometry, material and texture under its root. */
export function disposeModel(model: PreparedModel): void {
  const materials = new Set<Material>();
  model.root.traverse((o) => {
    const mesh = o as Mesh;
    if (!mesh.isMesh) return;
    mesh.geometry.dispose();
    (Array.isArray(mesh.material) ? mesh.material : [mesh.material]).forEach((m) => materials.add(m));
  });
  for (const m of materials) {
    for (const key of TEXTURE_KEYS) ((m as unknown as Record<string, Texture | null>)[key])?.dispose();
    m.dispose();
  }
}

/** Whether an object and all its ancestors are visible. */
function shownInTree(o: Object3D | undefined): boolean {
  for (let p: Object3D | null | undefined = o; p; p = p.parent) if (!p.visible) return false;
  return true;
}
