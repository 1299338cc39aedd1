import { z } from 'zod';

/**
 * PPO's hyperparameters, defaulting to FinRL's / Stable-Baselines3's (n_steps 2048, batch 64,
 * learning rate 2.5e-4, entropy 0.01, 10 epochs, gamma 0.99, lambda 0.95, clip 0.2); every
 * one can be overridden in the experiment config.
 */
export const ppoSchema = z
  .object({
    total_timesteps: z.number().int().positive().default(20_000),
    n_steps: z.number().int().min(2).default(2048),
    batch_size: z.number().int().min(2).default(64),
    n_epochs: z.number().int().positive().default(10),
    learning_rate: z.number().positive().default(2.5e-4),
    gamma: z.number().min(0).max(1).default(0.99),
    gae_lambda: z.number().min(0).max(1).default(0.95),
    clip_range: z.number().positive().default(0.2),
    ent_coef: z.number().min(0).default(0.01),
    vf_coef: z.number().min(0).default(0.5),
    max_grad_norm: z.number().positive().default(0.5),
    normalize_advantage: z.boolean().default(true),
    /** Hidden layer sizes of the policy and of the value network (tanh activations). */
    net_arch: z.array(z.number().int().positive()).min(1).default([64, 64]),
    log_std_init: z.number().default(0),
    /** Observation normalisation with running statistics (clipped at this many standard deviations). */
    normalize_observations: z.boolean().default(true),
    clip_observations: z.number().positive().default(10),
  })
  .strict();

export type PpoConfig = z.infer<typeof ppoSchema>;
