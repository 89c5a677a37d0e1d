/**
 * What the console reads of Kubernetes' own objects, as the API sends them (JSON: times are strings).
 * client-node's V1Node and CoreV1Event type times as Date and carry a Node.js library; the few fields shown
 * here are all the console needs.
 */
export type KubeMeta = {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  creationTimestamp?: string;
};

export type KubeCondition = { type: string; status: string; reason?: string; message?: string };

export type KubeNode = {
  metadata: KubeMeta;
  spec?: { unschedulable?: boolean };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: KubeCondition[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: { kubeletVersion?: string; osImage?: string };
  };
};

export type KubeEvent = {
  metadata: KubeMeta;
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
};
